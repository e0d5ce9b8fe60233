"""Camunda 7 JSON shapes for our rows."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.clock import format_camunda as when
from app.platform import variables
from app.platform.done_batches import DoneBatch

if TYPE_CHECKING:  # the rows the platform's queries return; the web never touches the tables
    from app.models import (
        DecisionDefinition, Deployment, DeploymentResource, HistoricActivity, HistoricTask, Incident, Job, ProcessDefinition,
        ProcessInstance, Task,
    )

# The state of a running instance as rows hold it (`InstanceState.ACTIVE` is a str enum).
ACTIVE = "ACTIVE"


def task(t: Task) -> dict:
    return {
        "id": t.id, "name": t.name, "assignee": t.assignee, "owner": t.owner,
        "created": when(t.created_at), "due": when(t.due_at), "followUp": when(t.follow_up_at),
        "lastUpdated": None, "delegationState": t.delegation_state, "description": None,
        "executionId": t.id, "parentTaskId": None, "priority": t.priority,
        "processDefinitionId": t.definition_id, "processInstanceId": t.instance_id,
        "taskDefinitionKey": t.task_key, "caseExecutionId": None, "caseInstanceId": None,
        "caseDefinitionId": None, "suspended": t.suspended, "formKey": t.form_key,
        "camundaFormRef": None, "tenantId": None,
        "processDefinitionKey": t.process_key, "businessKey": t.business_key,
        "candidateGroups": [g for g in t.candidate_groups.split(",") if g],
    }


def instance(i: ProcessInstance, links: list[dict] | None = None) -> dict:
    return {
        "links": links or [], "id": i.id, "definitionId": i.definition_id, "businessKey": i.business_key,
        "caseInstanceId": None, "ended": i.state != ACTIVE, "suspended": i.suspended,
        "tenantId": None,
    }


def correlation_result(i: ProcessInstance, shown: tuple[dict, dict] | None) -> dict:
    """A message caught by a waiting instance (Camunda's `Execution` result)."""
    result = {
        "resultType": "Execution", "processInstance": None,
        "execution": {"id": i.id, "processInstanceId": i.id, "ended": i.state != ACTIVE, "tenantId": None},
    }
    if shown is not None:
        result["variables"] = variables.to_camunda(*shown)
    return result


def definition(d: ProcessDefinition) -> dict:
    return {
        "id": d.id, "key": d.key, "category": "http://tic-flow", "description": None,
        "name": d.name, "version": d.version, "resource": d.resource_name,
        "deploymentId": d.deployment_id, "diagram": None, "suspended": d.suspended,
        "tenantId": None, "versionTag": d.version_tag, "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def decision_definition(d: DecisionDefinition) -> dict:
    return {
        "id": d.id, "key": d.key, "category": "http://tic-flow", "name": d.name,
        "version": d.version, "resource": d.resource_name, "deploymentId": d.deployment_id,
        "tenantId": None, "decisionRequirementsDefinitionId": None,
        "decisionRequirementsDefinitionKey": None, "historyTimeToLive": None, "versionTag": None,
    }


def deployment(d: Deployment, definitions: list[ProcessDefinition] | None,
               decisions: list[DecisionDefinition] | None = None, links: list[dict] | None = None) -> dict:
    return {
        "links": links or [], "id": d.id, "name": d.name, "source": d.source,
        "deploymentTime": when(d.deployed_at), "tenantId": None,
        "deployedProcessDefinitions": (
            {x.id: definition(x) for x in definitions} if definitions else None
        ),
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": {x.id: decision_definition(x) for x in decisions} if decisions else None,
        "deployedDecisionRequirementsDefinitions": None,
    }


def resource(r: DeploymentResource) -> dict:
    return {"id": r.id, "name": r.name, "deploymentId": r.deployment_id}


def job(j: Job) -> dict:
    return {
        "id": j.id, "jobDefinitionId": f"{j.process_key}:{j.activity_id}:{j.job_type.value}",
        "processInstanceId": j.instance_id, "processDefinitionId": j.definition_id,
        "processDefinitionKey": j.process_key, "executionId": j.execution_id,
        "exceptionMessage": (j.exception_message or "").splitlines()[0] if j.exception_message else None,
        "failedActivityId": j.activity_id if j.exception_message else None,
        "retries": j.retries, "dueDate": when(j.due_at), "suspended": j.suspended, "priority": 0,
        "tenantId": None, "createTime": when(j.created_at), "batchId": None,
        "jobType": j.job_type.value, "activityId": j.activity_id,
    }


def incident(i: Incident) -> dict:
    return {
        "id": i.id, "processDefinitionId": i.definition_id, "processInstanceId": i.instance_id,
        "executionId": None, "incidentTimestamp": when(i.created_at),
        "incidentType": i.incident_type, "activityId": i.activity_id,
        "failedActivityId": i.activity_id, "causeIncidentId": i.id, "rootCauseIncidentId": i.id,
        "configuration": i.job_id, "incidentMessage": i.message, "tenantId": None,
        "jobDefinitionId": None, "annotation": i.annotation,
    }


def historic_incident(i: Incident) -> dict:
    resolved = i.resolved_at is not None
    return {
        "id": i.id, "processDefinitionKey": i.process_key, "processDefinitionId": i.definition_id,
        "processInstanceId": i.instance_id, "executionId": None, "rootProcessInstanceId": i.instance_id,
        "createTime": when(i.created_at), "endTime": when(i.resolved_at), "removalTime": None,
        "incidentType": i.incident_type, "activityId": i.activity_id, "failedActivityId": i.activity_id,
        "causeIncidentId": i.id, "rootCauseIncidentId": i.id, "configuration": i.job_id,
        "historyConfiguration": None, "incidentMessage": i.message, "tenantId": None,
        "jobDefinitionId": None, "open": not resolved, "deleted": False, "resolved": resolved,
        "annotation": i.annotation,
    }


def _millis(start, end):
    return int((end - start).total_seconds() * 1000) if start and end else None


def historic_instance(i: ProcessInstance, d: ProcessDefinition | None) -> dict:
    return {
        "id": i.id, "businessKey": i.business_key, "processDefinitionId": i.definition_id,
        "processDefinitionKey": i.process_key,
        "processDefinitionName": d.name if d else None,
        "processDefinitionVersion": d.version if d else None,
        "startTime": when(i.start_time), "endTime": when(i.end_time), "removalTime": None,
        "durationInMillis": _millis(i.start_time, i.end_time), "startUserId": i.started_by,
        "startActivityId": None, "deleteReason": i.end_reason, "rootProcessInstanceId": i.id,
        "superProcessInstanceId": None, "superCaseInstanceId": None, "caseInstanceId": None,
        "tenantId": None, "state": i.state.value,
    }


def historic_activity(a: HistoricActivity) -> dict:
    return {
        "id": a.id, "parentActivityInstanceId": a.instance_id, "activityId": a.activity_id,
        "activityName": a.activity_name, "activityType": a.activity_type,
        "processDefinitionKey": a.process_key, "processDefinitionId": a.definition_id,
        "processInstanceId": a.instance_id, "executionId": a.id,
        "taskId": a.id if a.activity_type == "userTask" else None,
        "calledProcessInstanceId": None, "calledCaseInstanceId": None, "assignee": a.assignee,
        "startTime": when(a.start_time), "endTime": when(a.end_time),
        "durationInMillis": _millis(a.start_time, a.end_time), "canceled": a.canceled,
        "completeScope": a.activity_type.endswith("EndEvent") or a.activity_type == "endEvent",
        "tenantId": None, "removalTime": None, "rootProcessInstanceId": a.instance_id,
    }


def historic_task(t: HistoricTask) -> dict:
    return {
        "id": t.id, "processDefinitionKey": t.process_key, "processDefinitionId": t.definition_id,
        "processInstanceId": t.instance_id, "executionId": t.id, "caseDefinitionKey": None,
        "caseDefinitionId": None, "caseInstanceId": None, "caseExecutionId": None,
        "activityInstanceId": t.id, "name": t.name, "description": None,
        "deleteReason": t.delete_reason, "owner": t.owner, "assignee": t.assignee,
        "startTime": when(t.start_time), "endTime": when(t.end_time),
        "duration": _millis(t.start_time, t.end_time), "taskDefinitionKey": t.task_key,
        "priority": 50, "due": when(t.due_at), "parentTaskId": None, "followUp": None,
        "tenantId": None, "removalTime": None, "rootProcessInstanceId": t.instance_id,
        "completedBy": t.completed_by, "businessKey": t.business_key,
    }


def _incidents(types: dict[str, int], wanted: str | None) -> list[dict]:
    """Camunda's incident counts by type: every type (""), one type, or none asked (None)."""
    if wanted is None:
        return []
    return [{"incidentType": kind, "incidentCount": count} for kind, count in sorted(types.items())
            if wanted in ("", kind)]


def definition_statistics(counts, d: ProcessDefinition, failed_jobs: bool, incidents: str | None) -> dict:
    return {
        "@class": "org.camunda.bpm.engine.rest.dto.repository.ProcessDefinitionStatisticsResultDto",
        "id": d.id, "instances": counts.running, "failedJobs": counts.failed_jobs if failed_jobs else 0,
        "incidents": _incidents(counts.incident_types, incidents), "definition": definition(d),
        "tenantId": None,
    }


def activity_statistics(activity_id: str, counts, failed_jobs: bool, incidents: str | None) -> dict:
    return {
        "@class": "org.camunda.bpm.engine.rest.dto.repository.ActivityStatisticsResultDto",
        "id": activity_id, "instances": counts.instances,
        "failedJobs": counts.failed_jobs if failed_jobs else 0,
        "incidents": _incidents(counts.incident_types, incidents),
    }


def historic_activity_statistics(c, wanted: dict[str, bool]) -> dict:
    """Camunda's HistoricActivityStatisticsDto: a count not asked for is 0."""
    incidents = wanted["incidents"]
    return {
        "id": c.activity_id, "instances": c.instances,
        "finished": c.finished if wanted["finished"] else 0, "canceled": c.canceled if wanted["canceled"] else 0,
        "completeScope": c.complete_scope if wanted["completeScope"] else 0,
        "openIncidents": c.open_incidents if incidents else 0,
        "resolvedIncidents": c.resolved_incidents if incidents else 0, "deletedIncidents": 0,
    }


def variable_instance(v, deserialize: bool = True) -> dict:
    """A `VariableInstance` (app/platform/variable_instances.py) as Camunda's runtime DTO."""
    return {
        "id": v.id, "name": v.name, **variables.typed(v.value, v.declared, deserialize),
        "processDefinitionId": v.instance.definition_id, "processInstanceId": v.instance.id,
        "executionId": v.instance.id, "caseInstanceId": None, "caseExecutionId": None,
        "taskId": None, "batchId": None, "activityInstanceId": v.instance.id, "tenantId": None,
        "errorMessage": None,
    }


def historic_variable_instance(v, deserialize: bool = True) -> dict:
    return {
        "id": v.id, "name": v.name, **variables.typed(v.value, v.declared, deserialize),
        "processDefinitionKey": v.instance.process_key, "processDefinitionId": v.instance.definition_id,
        "processInstanceId": v.instance.id, "executionId": v.instance.id,
        "activityInstanceId": v.instance.id, "caseDefinitionKey": None, "caseDefinitionId": None,
        "caseInstanceId": None, "caseExecutionId": None, "taskId": None, "tenantId": None,
        "errorMessage": None, "state": "CREATED", "createTime": when(v.instance.start_time),
        "removalTime": None, "rootProcessInstanceId": v.instance.id,
    }


def variable_update(u, deserialize: bool = True) -> dict:
    """A `VariableUpdate` (app/platform/variable_history.py) as Camunda's historic detail."""
    shown = variables.typed(u.value, u.declared, deserialize)
    return {
        "id": u.id, "type": "variableUpdate", "processDefinitionKey": u.instance.process_key,
        "processDefinitionId": u.instance.definition_id, "processInstanceId": u.instance.id,
        "activityInstanceId": u.event.activity_id, "executionId": u.instance.id,
        "caseDefinitionKey": None, "caseDefinitionId": None, "caseInstanceId": None,
        "caseExecutionId": None, "taskId": u.event.task_id, "tenantId": None, "userOperationId": None,
        "time": when(u.event.occurred_at), "removalTime": None, "rootProcessInstanceId": u.instance.id,
        "variableName": u.name, "variableInstanceId": f"{u.instance.id}:{u.name}",
        "variableType": shown["type"], "value": shown["value"], "valueInfo": shown["valueInfo"],
        "initial": u.revision == 1, "revision": u.revision, "errorMessage": None,
    }


def batch(done: DoneBatch) -> dict:
    """A batch already done (`done_batches`): one job that made every invocation, no job
    definitions (there are none here), started and executed when it was created."""
    return {
        "id": done.id, "type": done.type, "totalJobs": 1, "jobsCreated": 1,
        "batchJobsPerSeed": 1, "invocationsPerBatchJob": done.invocations, "seedJobDefinitionId": None,
        "monitorJobDefinitionId": None, "batchJobDefinitionId": None, "suspended": False, "tenantId": None,
        "createUserId": done.created_by, "startTime": when(done.started_at),
        "executionStartTime": when(done.started_at),
    }
