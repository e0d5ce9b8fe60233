"""Read models of history: process instances, running or ended, and user tasks, open or
done, with Camunda's filters and sortings (`query_criteria`)."""
from __future__ import annotations

from sqlalchemy import exists, select, true
from sqlalchemy.orm import Session

from app.models import HistoricTask, Incident, InstanceState, ProcessDefinition, ProcessInstance

from app.core import confidential
from app.core.authorization import instance_visibility
from app.core.identity import Actor
from app.core.paging import Page

from . import query_criteria as qc
from .queries import EVERY_INSTANCE, NO_CALLED_INSTANCES, every_step, of_definition
from .query_criteria import Query
from .sql_dialects import Duration

_PI = ProcessInstance


def _definition_column(column):
    """A column of the instance's definition, for sorting."""
    return select(column).where(ProcessDefinition.id == _PI.definition_id).scalar_subquery()


def _in_state(state: InstanceState):
    return _PI.state == state


def _instance_criteria(seen) -> dict[str, qc.Criterion]:
    """The criteria of instances running or ended, counting the incidents (open or resolved)
    of the steps `seen(step_column)` keeps (`queries._instance_criteria`)."""
    def any_incident(test):
        return exists().where(Incident.instance_id == _PI.id, seen(Incident.activity_id), test)

    return {
        "processInstanceId": qc.Equal(_PI.id), "processInstanceIds": qc.OneOf(_PI.id),
        "processDefinitionId": qc.Equal(_PI.definition_id),
        "processDefinitionKey": qc.Equal(_PI.process_key), "processDefinitionKeyIn": qc.OneOf(_PI.process_key),
        "processDefinitionKeyNotIn": qc.OneOf(_PI.process_key, negated=True),
        "processInstanceBusinessKey": qc.Equal(_PI.business_key),
        "processInstanceBusinessKeyIn": qc.OneOf(_PI.business_key),
        "processInstanceBusinessKeyLike": qc.Matching(_PI.business_key),
        "finished": qc.Flag(_PI.end_time.is_not(None)), "unfinished": qc.Flag(_PI.end_time.is_(None)),
        "withIncidents": qc.Flag(any_incident(true())),
        "startedBefore": qc.Until(_PI.start_time), "startedAfter": qc.Since(_PI.start_time),
        "finishedBefore": qc.Until(_PI.end_time), "finishedAfter": qc.Since(_PI.end_time),
        "startedBy": qc.Equal(_PI.started_by),
        "superProcessInstanceId": NO_CALLED_INSTANCES, "subProcessInstanceId": NO_CALLED_INSTANCES,
        "rootProcessInstances": EVERY_INSTANCE, "leafProcessInstances": EVERY_INSTANCE,
        "active": qc.Flag(_in_state(InstanceState.ACTIVE) & ~_PI.suspended),
        "suspended": qc.Flag(_in_state(InstanceState.ACTIVE) & _PI.suspended),
        "completed": qc.Flag(_in_state(InstanceState.COMPLETED)),
        "externallyTerminated": qc.Flag(_in_state(InstanceState.EXTERNALLY_TERMINATED)),
        "internallyTerminated": qc.Flag(_in_state(InstanceState.INTERNALLY_TERMINATED)),
        "variables": qc.Variables(_PI.variables_json),
        **qc.IGNORE_CASE,
        "processDefinitionName": qc.Equal(ProcessDefinition.name, within=lambda test: of_definition(
            _PI.definition_id, test)),
        "processDefinitionNameLike": qc.Matching(ProcessDefinition.name, within=lambda test: of_definition(
            _PI.definition_id, test)),
        "incidentType": qc.Equal(Incident.incident_type, within=any_incident),
        "incidentIdIn": qc.OneOf(Incident.id, within=any_incident),
        "incidentStatus": qc.Choice({"open": any_incident(Incident.resolved_at.is_(None)),
                                     "resolved": any_incident(Incident.resolved_at.is_not(None))}),
        "incidentMessage": qc.Equal(Incident.message, within=any_incident),
        "incidentMessageLike": qc.Matching(Incident.message, within=any_incident),
        **qc.WITHOUT_TENANTS,
    }


INSTANCE_CRITERIA = _instance_criteria(every_step)
_INSTANCE_CRITERIA_UNCONFIDENTIAL = _instance_criteria(confidential.not_confidential)
INSTANCE_SORTS = {
    "instanceId": _PI.id, "definitionId": _PI.definition_id, "definitionKey": _PI.process_key,
    "definitionName": _definition_column(ProcessDefinition.name),
    "definitionVersion": _definition_column(ProcessDefinition.version),
    "businessKey": _PI.business_key, "startTime": _PI.start_time, "endTime": _PI.end_time,
    "duration": Duration(_PI.start_time, _PI.end_time),
}


def historic_instances(session: Session, actor: Actor, q: Query, page: Page) -> list[ProcessInstance]:
    query, parameters = historic_instances_query(actor, q)
    ordered = qc.ordered(query, INSTANCE_SORTS, q, _PI.start_time, _PI.id)
    return list(session.scalars(page.apply(ordered), parameters))


def historic_instances_query(actor: Actor, q: Query) -> tuple:
    """The instances `actor` may read, running or ended, that match `q`; and its parameters."""
    criteria = INSTANCE_CRITERIA if confidential.sees_all(actor) else _INSTANCE_CRITERIA_UNCONFIDENTIAL
    return qc.filtered(actor, select(_PI).where(instance_visibility(actor)), criteria, q)


_HT = HistoricTask
TASK_CRITERIA: dict[str, qc.Criterion] = {
    "taskId": qc.Equal(_HT.id),
    "processInstanceId": qc.Equal(_HT.instance_id), "processInstanceIdIn": qc.OneOf(_HT.instance_id),
    "processInstanceBusinessKey": qc.Equal(_HT.business_key),
    "processInstanceBusinessKeyIn": qc.OneOf(_HT.business_key),
    "processInstanceBusinessKeyLike": qc.Matching(_HT.business_key),
    "processDefinitionId": qc.Equal(_HT.definition_id), "processDefinitionKey": qc.Equal(_HT.process_key),
    "taskName": qc.Equal(_HT.name), "taskNameLike": qc.Matching(_HT.name),
    "taskDefinitionKey": qc.Equal(_HT.task_key), "taskDefinitionKeyIn": qc.OneOf(_HT.task_key),
    "taskDeleteReason": qc.Equal(_HT.delete_reason),
    "taskAssignee": qc.Equal(_HT.assignee), "taskAssigneeLike": qc.Matching(_HT.assignee),
    "taskOwner": qc.Equal(_HT.owner),
    "finished": qc.Flag(_HT.end_time.is_not(None)), "unfinished": qc.Flag(_HT.end_time.is_(None)),
    "assigned": qc.Flag(_HT.assignee.is_not(None)), "unassigned": qc.Flag(_HT.assignee.is_(None)),
    "taskDueDateBefore": qc.Until(_HT.due_at), "taskDueDateAfter": qc.Since(_HT.due_at),
    "startedBefore": qc.Until(_HT.start_time), "startedAfter": qc.Since(_HT.start_time),
    "finishedBefore": qc.Until(_HT.end_time), "finishedAfter": qc.Since(_HT.end_time),
    "processVariables": qc.Variables(_PI.variables_json, within=lambda test: exists().where(
        _PI.id == _HT.instance_id, test)),
    **qc.IGNORE_CASE,
    "processDefinitionName": qc.Equal(ProcessDefinition.name, within=lambda test: of_definition(
        _HT.definition_id, test)),
    **qc.WITHOUT_TENANTS,
}
TASK_SORTS = {
    "taskId": _HT.id, "activityInstanceId": _HT.id, "executionId": _HT.id,
    "processDefinitionId": _HT.definition_id, "processInstanceId": _HT.instance_id,
    "duration": Duration(_HT.start_time, _HT.end_time), "endTime": _HT.end_time, "startTime": _HT.start_time,
    "taskName": _HT.name, "assignee": _HT.assignee, "owner": _HT.owner, "dueDate": _HT.due_at,
    "deleteReason": _HT.delete_reason, "taskDefinitionKey": _HT.task_key,
}


def historic_tasks(session: Session, actor: Actor, q: Query, page: Page) -> list[HistoricTask]:
    query, parameters = historic_tasks_query(actor, q)
    return list(session.scalars(page.apply(qc.ordered(query, TASK_SORTS, q, _HT.start_time, _HT.id)),
                                parameters))


def historic_tasks_query(actor: Actor, q: Query, criteria: dict[str, qc.Criterion] = TASK_CRITERIA) -> tuple:
    """The historic tasks `actor` may read that match `q` (read by `criteria`); and its
    parameters."""
    query = select(_HT).where(confidential.step_condition(actor, _HT.task_key, _HT.assignee))
    if not actor.sees_everything:
        query = query.where((_HT.assignee == actor.id) | _HT.instance_id.in_(
            select(_PI.id).where(instance_visibility(actor))))
    return qc.filtered(actor, query, criteria, q)
