"""Read models: the plain queries behind lists and detail views (no workflow is loaded).

The REST lists take Camunda's filters and sortings (`query_criteria`): each list has its
table of criteria by Camunda parameter name and its table of sort keys."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, false, func, select, true
from sqlalchemy.orm import Session, aliased

from app.db import connection_of
from app.prepared import Prepared
from app.models import (
    DecisionDefinition, Deployment, DeploymentResource, HistoricActivity, Incident, Job, JobType,
    ProcessDefinition, ProcessInstance, Task, TaskCandidate,
)

from app.core import confidential
from app.core.authorization import (
    candidate_of, instance_visibility, reader_parameters, task_visibility, visibility_shape,
)
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page

from . import query_criteria as qc
from .query_criteria import Query

_T = Task.__table__
_C = TaskCandidate.__table__
_PI = ProcessInstance.__table__


def of_definition(definition_id, test):
    """`test` on the definition whose id is `definition_id` (its name, for a filter)."""
    return exists().where(ProcessDefinition.id == definition_id, test)


def _group_candidates(test):
    return exists().where(_C.c.task_id == _T.c.id, _C.c.kind == "group", test)


class _CandidateUser(qc.Criterion):
    """Camunda's `candidateUser`: unassigned tasks the user may claim, in person or through
    a group they act for (its value resolved by `_resolved` to the user and their groups)."""

    def condition(self, key, value):
        user, groups = value
        names = [bindparam(f"{key}_group_{n}") for n in range(len(groups))]
        return _T.c.assignee.is_(None) & candidate_of(bindparam(key), names)

    def parameters(self, key, value):
        user, groups = value
        return {key: user, **{f"{key}_group_{n}": group for n, group in enumerate(groups)}}

    def shape(self, value):
        return len(value[1])


TASK_CRITERIA: dict[str, qc.Criterion] = {
    "taskId": qc.Equal(_T.c.id), "taskIdIn": qc.OneOf(_T.c.id),
    "processInstanceId": qc.Equal(_T.c.instance_id), "processInstanceIdIn": qc.OneOf(_T.c.instance_id),
    "processInstanceBusinessKey": qc.Equal(_T.c.business_key),
    "processInstanceBusinessKeyIn": qc.OneOf(_T.c.business_key),
    "processInstanceBusinessKeyLike": qc.Matching(_T.c.business_key),
    "processDefinitionId": qc.Equal(_T.c.definition_id),
    "processDefinitionKey": qc.Equal(_T.c.process_key), "processDefinitionKeyIn": qc.OneOf(_T.c.process_key),
    "taskDefinitionKey": qc.Equal(_T.c.task_key), "taskDefinitionKeyIn": qc.OneOf(_T.c.task_key),
    "taskDefinitionKeyLike": qc.Matching(_T.c.task_key),
    "name": qc.Equal(_T.c.name), "nameLike": qc.Matching(_T.c.name),
    "assignee": qc.Equal(_T.c.assignee), "assigneeIn": qc.OneOf(_T.c.assignee),
    "assigneeLike": qc.Matching(_T.c.assignee),
    "owner": qc.Equal(_T.c.owner), "delegationState": qc.Equal(_T.c.delegation_state),
    "candidateGroup": qc.Test(lambda group: _group_candidates(_C.c.value == group)),
    "candidateGroups": qc.OneOf(_C.c.value, within=_group_candidates),
    "candidateUser": _CandidateUser(),
    "withCandidateGroups": qc.Flag(_group_candidates(_C.c.value.is_not(None))),
    "withoutCandidateGroups": qc.Flag(~_group_candidates(_C.c.value.is_not(None))),
    "assigned": qc.Flag(_T.c.assignee.is_not(None)), "unassigned": qc.Flag(_T.c.assignee.is_(None)),
    "createdBefore": qc.Until(_T.c.created_at), "createdAfter": qc.Since(_T.c.created_at),
    "dueBefore": qc.Until(_T.c.due_at), "dueAfter": qc.Since(_T.c.due_at),
    "followUpBefore": qc.Until(_T.c.follow_up_at), "followUpAfter": qc.Since(_T.c.follow_up_at),
    "active": qc.Flag(~_T.c.suspended), "suspended": qc.Flag(_T.c.suspended),
    "processVariables": qc.Variables(_PI.c.variables_json, within=lambda test: exists().where(
        _PI.c.id == _T.c.instance_id, test)),
    **qc.IGNORE_CASE,
    "processDefinitionName": qc.Equal(ProcessDefinition.name, within=lambda test: of_definition(_T.c.definition_id, test)),
    "processDefinitionNameLike": qc.Matching(
        ProcessDefinition.name, within=lambda test: of_definition(_T.c.definition_id, test)),
    "nameNotEqual": qc.Test(lambda name: _T.c.name != name), "nameNotLike": qc.Matching(_T.c.name, negated=True),
    "priority": qc.Whole(lambda value: _T.c.priority == value),
    "minPriority": qc.Whole(lambda value: _T.c.priority >= value),
    "maxPriority": qc.Whole(lambda value: _T.c.priority <= value),
    **qc.WITHOUT_TENANTS,
}
TASK_SORTS = {
    "instanceId": _T.c.instance_id, "dueDate": _T.c.due_at, "followUpDate": _T.c.follow_up_at,
    "executionId": _T.c.id, "assignee": _T.c.assignee, "created": _T.c.created_at, "id": _T.c.id,
    "name": _T.c.name, "nameCaseInsensitive": func.lower(_T.c.name), "priority": _T.c.priority,
}


@dataclass(frozen=True)
class TaskFilter:
    """The filters the pages and the bench ask for, as Camunda's query."""

    process_instance_id: str | None = None
    business_key: str | None = None
    task_key: str | None = None
    process_key: str | None = None
    assignee: str | None = None
    candidate_group: str | None = None
    candidate_user: str | None = None
    unassigned: bool = False

    def query(self) -> Query:
        named = {"processInstanceId": self.process_instance_id, "processInstanceBusinessKey": self.business_key,
                 "taskDefinitionKey": self.task_key, "processDefinitionKey": self.process_key,
                 "assignee": self.assignee, "candidateGroup": self.candidate_group,
                 "candidateUser": self.candidate_user, "unassigned": self.unassigned or None}
        return Query({name: value for name, value in named.items() if value})


# One prepared statement per query shape: which filters are set, how many values, how
# many groups the reader acts for, the sorting, whether the page is limited. Clients
# choose the shapes (list lengths, variable filters): past this many, a new shape's
# statement serves its one request and is not kept.
_TASK_LISTS: dict[tuple, Prepared] = {}
TASK_LIST_SHAPES = 512


def list_tasks(session: Session, actor: Actor, f: TaskFilter | Query, page: Page) -> list:
    """Open tasks as rows (attribute access like the ORM class; no identity-map cost).

    The REST task list is read before nearly every command, so its statement is built
    once per shape and reused with this call's values as parameters."""
    q = f if isinstance(f, Query) else f.query()
    criteria = _resolved(session, actor, q.criteria)
    values = {**reader_parameters(actor), **qc.parameters(TASK_CRITERIA, criteria),
              "page_offset": page.offset, "page_limit": page.limit}
    shape = (visibility_shape(actor), qc.shape(TASK_CRITERIA, criteria), q.sorting, page.limit is None)
    statement = _TASK_LISTS.get(shape)
    if statement is None:
        statement = Prepared(_task_list(actor, criteria, q, page.limit is None))
        if len(_TASK_LISTS) < TASK_LIST_SHAPES:
            _TASK_LISTS[shape] = statement
    return statement.all(connection_of(session), values)


def count_tasks(session: Session, actor: Actor, q: Query) -> int:
    criteria = _resolved(session, actor, q.criteria)
    query = qc.apply(select(_T).where(task_visibility(actor)), TASK_CRITERIA, criteria)
    values = {**reader_parameters(actor), **qc.parameters(TASK_CRITERIA, criteria)}
    return connection_of(session).execute(select(func.count()).select_from(query.subquery()), values).scalar_one()


def task_count_by_candidate_group(session: Session, actor: Actor) -> list[tuple[str | None, int]]:
    """Camunda's task report: the unassigned tasks the actor may read, counted per candidate
    group (None for those without one), groups in order, None first."""
    # Its own alias: the visibility test's subqueries read the candidates too.
    candidate = _C.alias("reported_candidate")
    group = candidate.c.value.label("group_name")
    joined = _T.outerjoin(candidate, and_(candidate.c.task_id == _T.c.id, candidate.c.kind == "group"))
    query = (select(group, func.count(func.distinct(_T.c.id)))
             .select_from(joined).where(task_visibility(actor), _T.c.assignee.is_(None))
             .group_by(group).order_by(group.is_not(None), group))
    return [tuple(row) for row in connection_of(session).execute(query, reader_parameters(actor))]


def _task_list(actor: Actor, criteria: dict, q: Query, unlimited: bool):
    filtered = qc.apply(select(_T).where(task_visibility(actor)), TASK_CRITERIA, criteria)
    query = qc.ordered(filtered, TASK_SORTS, q, _T.c.created_at, _T.c.id).offset(bindparam("page_offset"))
    return query if unlimited else query.limit(bindparam("page_limit"))


def _resolved(session: Session, actor: Actor, criteria: dict) -> dict:
    """The criteria with the candidate user's groups looked up; confidential variables
    refused to whoever may not read them."""
    qc.require_readable_variables(actor, criteria)
    if "candidateUser" not in criteria:
        return criteria
    return {**criteria, "candidateUser": _candidate(session, criteria["candidateUser"])}


def _candidate(session: Session, user_id: str) -> tuple[str, list[str]]:
    """The candidate user and the groups they act for."""
    from app.core.identity import load_actor

    user = load_actor(session, user_id)
    return user_id, sorted(user.candidate_values) if user else []


def count_of(session: Session, query, parameters: dict | None = None) -> int:
    """How many rows a list's query finds, unpaged (Camunda's `/count`)."""
    return session.scalar(select(func.count()).select_from(query.subquery()), parameters or {})


# SpiffWorkflow runs a called process inside its caller's instance (its steps are the
# caller's rows), so no instance is another's super or sub process instance: every one is
# a root and a leaf.
NO_CALLED_INSTANCES = qc.Constant(false())
EVERY_INSTANCE = qc.Constant(None, kind="flag")


def every_step(step_column):
    return true()


def _deployed_in(deployment_id):
    return ProcessInstance.definition_id.in_(
        select(ProcessDefinition.id).where(ProcessDefinition.deployment_id == deployment_id))


def _instance_criteria(seen) -> dict[str, qc.Criterion]:
    """The running instances' criteria, counting the incidents and activities of the steps
    `seen(step_column)` keeps: whoever may not see the confidential steps gets a table that
    leaves them out, for an incident of one or an instance waiting at one would tell how
    many reviews there are and who is late (as `/incident` and the activity tree hide them)."""
    instance = ProcessInstance

    def waiting_at(test):
        return exists().where(HistoricActivity.instance_id == instance.id, HistoricActivity.end_time.is_(None),
                              seen(HistoricActivity.activity_id), test)

    def open_incident(test):
        return exists().where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None),
                              seen(Incident.activity_id), test)

    return {
        "processInstanceIds": qc.OneOf(instance.id),
        "businessKey": qc.Equal(instance.business_key), "businessKeyLike": qc.Matching(instance.business_key),
        "processDefinitionId": qc.Equal(instance.definition_id),
        "processDefinitionKey": qc.Equal(instance.process_key),
        "processDefinitionKeyIn": qc.OneOf(instance.process_key),
        "processDefinitionKeyNotIn": qc.OneOf(instance.process_key, negated=True),
        "deploymentId": qc.Test(_deployed_in),
        "superProcessInstance": NO_CALLED_INSTANCES, "subProcessInstance": NO_CALLED_INSTANCES,
        "rootProcessInstances": EVERY_INSTANCE, "leafProcessInstances": EVERY_INSTANCE,
        "active": qc.Flag(~instance.suspended), "suspended": qc.Flag(instance.suspended),
        "withIncident": qc.Flag(open_incident(true())),
        "incidentId": qc.Equal(Incident.id, within=open_incident),
        "incidentType": qc.Equal(Incident.incident_type, within=open_incident),
        "incidentMessage": qc.Equal(Incident.message, within=open_incident),
        "incidentMessageLike": qc.Matching(Incident.message, within=open_incident),
        **qc.WITHOUT_TENANTS, "processDefinitionWithoutTenantId": qc.WITHOUT_TENANTS["withoutTenantId"],
        "activityIdIn": qc.OneOf(HistoricActivity.activity_id, within=waiting_at),
        "variables": qc.Variables(instance.variables_json),
        **qc.IGNORE_CASE,
    }


INSTANCE_CRITERIA = _instance_criteria(every_step)
_INSTANCE_CRITERIA_UNCONFIDENTIAL = _instance_criteria(confidential.not_confidential)
INSTANCE_SORTS = {"instanceId": ProcessInstance.id, "definitionKey": ProcessInstance.process_key,
                  "definitionId": ProcessInstance.definition_id, "businessKey": ProcessInstance.business_key}


def list_instances(session: Session, actor: Actor, q: Query, page: Page) -> list[ProcessInstance]:
    query, parameters = instances_query(actor, q)
    ordered = qc.ordered(query, INSTANCE_SORTS, q, ProcessInstance.start_time, ProcessInstance.id)
    return list(session.scalars(page.apply(ordered), parameters))


def running_instance_ids(session: Session, actor: Actor, q: Query) -> list[str]:
    """The ids of the running instances `list_instances` finds for `q`, unpaged."""
    query, parameters = instances_query(actor, q)
    return list(session.scalars(query.with_only_columns(ProcessInstance.id).order_by(ProcessInstance.id), parameters))


def instances_query(actor: Actor, q: Query) -> tuple:
    """The running instances `actor` may read that match `q`, and the query's parameters."""
    query = select(ProcessInstance).where(instance_visibility(actor), ProcessInstance.end_time.is_(None))
    criteria = INSTANCE_CRITERIA if confidential.sees_all(actor) else _INSTANCE_CRITERIA_UNCONFIDENTIAL
    return qc.filtered(actor, query, criteria, q)


_LATEST = aliased(ProcessDefinition)
DEFINITION_CRITERIA: dict[str, qc.Criterion] = {
    "key": qc.Equal(ProcessDefinition.key),
    "latestVersion": qc.Flag(ProcessDefinition.version == select(func.max(_LATEST.version)).where(
        _LATEST.key == ProcessDefinition.key).scalar_subquery()),
}
DEFINITION_SORTS = {"key": ProcessDefinition.key, "id": ProcessDefinition.id, "name": ProcessDefinition.name,
                    "version": ProcessDefinition.version, "deploymentId": ProcessDefinition.deployment_id,
                    "versionTag": ProcessDefinition.version_tag}


def list_definitions(session: Session, q: Query, page: Page) -> list[ProcessDefinition]:
    query, parameters = definitions_query(q)
    ordered = qc.ordered(query, DEFINITION_SORTS, q, ProcessDefinition.key, ProcessDefinition.version)
    return list(session.scalars(page.apply(ordered), parameters))


def definitions_query(q: Query) -> tuple:
    query = select(ProcessDefinition)
    return qc.apply(query, DEFINITION_CRITERIA, q.criteria), qc.parameters(DEFINITION_CRITERIA, q.criteria)


_LATEST_DECISION = aliased(DecisionDefinition)
DECISION_CRITERIA: dict[str, qc.Criterion] = {
    "key": qc.Equal(DecisionDefinition.key),
    "latestVersion": qc.Flag(DecisionDefinition.version == select(func.max(_LATEST_DECISION.version)).where(
        _LATEST_DECISION.key == DecisionDefinition.key).scalar_subquery()),
}
DECISION_SORTS = {"key": DecisionDefinition.key, "id": DecisionDefinition.id, "name": DecisionDefinition.name,
                  "version": DecisionDefinition.version, "deploymentId": DecisionDefinition.deployment_id}


def list_decision_definitions(session: Session, q: Query, page: Page) -> list[DecisionDefinition]:
    query, parameters = decision_definitions_query(q)
    ordered = qc.ordered(query, DECISION_SORTS, q, DecisionDefinition.key, DecisionDefinition.version)
    return list(session.scalars(page.apply(ordered), parameters))


def decision_definitions_query(q: Query) -> tuple:
    query = select(DecisionDefinition)
    return qc.apply(query, DECISION_CRITERIA, q.criteria), qc.parameters(DECISION_CRITERIA, q.criteria)


DEPLOYMENT_SORTS = {"id": Deployment.id, "name": Deployment.name, "deploymentTime": Deployment.deployed_at}


def list_deployments(session: Session, q: Query, page: Page) -> list[Deployment]:
    return list(session.scalars(page.apply(qc.ordered(
        deployments_query(), DEPLOYMENT_SORTS, q, Deployment.deployed_at, Deployment.id))))


def deployments_query():
    return select(Deployment)


def get_deployment(session: Session, deployment_id: str) -> Deployment:
    deployment = session.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFound(f"部署 {deployment_id} 不存在 / deployment not found")
    return deployment


def deployment_resources(session: Session, deployment_id: str) -> list[DeploymentResource]:
    """The files of a deployment, by name; NotFound when there is no such deployment."""
    get_deployment(session, deployment_id)
    return list(session.scalars(select(DeploymentResource).where(
        DeploymentResource.deployment_id == deployment_id).order_by(DeploymentResource.name)))


def deployment_resource(session: Session, deployment_id: str, resource_id: str) -> DeploymentResource:
    resource = session.get(DeploymentResource, resource_id)
    if resource is None or resource.deployment_id != deployment_id:
        raise NotFound(f"部署 {deployment_id} 中没有资源 {resource_id} / deployment resource not found")
    return resource


def definitions_of_deployment(session: Session, deployment_id: str):
    return list(session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.deployment_id == deployment_id)
    ))


def visible_instance_ids(actor: Actor):
    return select(ProcessInstance.id).where(instance_visibility(actor))


# Camunda's job filters over what a job row keeps: a service task's retry job is its
# `messages` (an asynchronous continuation), a timer its `timers`.
JOB_CRITERIA: dict[str, qc.Criterion] = {
    "jobId": qc.Equal(Job.id), "jobIds": qc.OneOf(Job.id),
    "processInstanceId": qc.Equal(Job.instance_id), "processInstanceIds": qc.OneOf(Job.instance_id),
    "executionId": qc.Equal(Job.execution_id), "activityId": qc.Equal(Job.activity_id),
    "processDefinitionId": qc.Equal(Job.definition_id), "processDefinitionKey": qc.Equal(Job.process_key),
    "timers": qc.Flag(Job.job_type == JobType.TIMER), "messages": qc.Flag(Job.job_type == JobType.SERVICE),
    "withRetriesLeft": qc.Flag(Job.retries > 0), "noRetriesLeft": qc.Flag(Job.retries == 0),
    "withException": qc.Flag(Job.exception_message.is_not(None)),
    "exceptionMessage": qc.Equal(Job.exception_message),
    "failedActivityId": qc.Test(lambda p: (Job.activity_id == p) & Job.exception_message.is_not(None)),
    "active": qc.Flag(Job.suspended.is_(False)), "suspended": qc.Flag(Job.suspended.is_(True)),
    **qc.WITHOUT_TENANTS,
}
JOB_SORTS = {"jobId": Job.id, "executionId": Job.execution_id, "processInstanceId": Job.instance_id,
             "processDefinitionId": Job.definition_id, "processDefinitionKey": Job.process_key,
             "jobRetries": Job.retries, "jobDueDate": Job.due_at}


def list_jobs(session: Session, actor: Actor, q: Query, page: Page) -> list[Job]:
    query, parameters = jobs_query(actor, q)
    return list(session.scalars(page.apply(qc.ordered(query, JOB_SORTS, q, Job.due_at, Job.id)), parameters))


def job_ids(session: Session, actor: Actor, q: Query) -> list[str]:
    """The ids of the jobs `list_jobs` finds for `q`, unpaged."""
    query, parameters = jobs_query(actor, q)
    return list(session.scalars(query.with_only_columns(Job.id).order_by(Job.id), parameters))


def job_of(session: Session, actor: Actor, job_id: str) -> Job:
    """One job, for whoever may read it in the list (NotFound for anyone else)."""
    query, parameters = jobs_query(actor, Query({"jobId": job_id}))
    found = session.scalar(query, parameters)
    if found is None:
        raise NotFound(f"作业 {job_id} 不存在 / job with id {job_id} does not exist")
    return found


def jobs_query(actor: Actor, q: Query) -> tuple:
    query = select(Job).where(Job.instance_id.in_(visible_instance_ids(actor)))
    if not confidential.sees_all(actor):
        query = query.where(confidential.not_confidential(Job.activity_id))
    return qc.filtered(actor, query, JOB_CRITERIA, q)


# An incident here is its own cause and root cause (a failed job or external task of the
# instance itself), and its `configuration` is the job's or external task's id.
_INCIDENT_ANY = {
    "incidentId": qc.Equal(Incident.id), "incidentType": qc.Equal(Incident.incident_type),
    "incidentMessage": qc.Equal(Incident.message), "incidentMessageLike": qc.Matching(Incident.message),
    "processDefinitionId": qc.Equal(Incident.definition_id),
    "processDefinitionKeyIn": qc.OneOf(Incident.process_key),
    "processInstanceId": qc.Equal(Incident.instance_id),
    "activityId": qc.Equal(Incident.activity_id), "failedActivityId": qc.Equal(Incident.activity_id),
    "causeIncidentId": qc.Equal(Incident.id), "rootCauseIncidentId": qc.Equal(Incident.id),
    "configuration": qc.Equal(Incident.job_id),
    **qc.WITHOUT_TENANTS,
}
INCIDENT_CRITERIA: dict[str, qc.Criterion] = {
    **_INCIDENT_ANY,
    "incidentTimestampBefore": qc.Until(Incident.created_at),
    "incidentTimestampAfter": qc.Since(Incident.created_at),
}
INCIDENT_SORTS = {"incidentId": Incident.id, "incidentMessage": Incident.message,
                  "incidentTimestamp": Incident.created_at, "incidentType": Incident.incident_type,
                  "activityId": Incident.activity_id, "processInstanceId": Incident.instance_id,
                  "processDefinitionId": Incident.definition_id,
                  "causeIncidentId": Incident.id, "rootCauseIncidentId": Incident.id,
                  "configuration": Incident.job_id}
# Resolved incidents stay in the table with their end (`resolved_at`): Camunda's history of
# incidents. None is ever deleted rather than resolved.
HISTORIC_INCIDENT_CRITERIA: dict[str, qc.Criterion] = {
    **_INCIDENT_ANY,
    "processDefinitionKey": qc.Equal(Incident.process_key),
    "createTimeBefore": qc.Until(Incident.created_at), "createTimeAfter": qc.Since(Incident.created_at),
    "endTimeBefore": qc.Until(Incident.resolved_at), "endTimeAfter": qc.Since(Incident.resolved_at),
    "open": qc.Flag(Incident.resolved_at.is_(None)), "resolved": qc.Flag(Incident.resolved_at.is_not(None)),
    "deleted": qc.Flag(false()),
}
HISTORIC_INCIDENT_SORTS = {
    "incidentId": Incident.id, "incidentMessage": Incident.message, "createTime": Incident.created_at,
    "endTime": Incident.resolved_at, "incidentType": Incident.incident_type,
    "activityId": Incident.activity_id, "processInstanceId": Incident.instance_id,
    "processDefinitionId": Incident.definition_id, "processDefinitionKey": Incident.process_key,
    "causeIncidentId": Incident.id, "rootCauseIncidentId": Incident.id, "configuration": Incident.job_id,
    "incidentState": Incident.resolved_at,
}


def list_incidents(session: Session, actor: Actor, q: Query, page: Page) -> list[Incident]:
    query, parameters = incidents_query(actor, q)
    ordered = qc.ordered(query, INCIDENT_SORTS, q, Incident.created_at, Incident.id)
    return list(session.scalars(page.apply(ordered), parameters))


def incidents_query(actor: Actor, q: Query) -> tuple:
    return qc.filtered(actor, _readable_incidents(actor).where(Incident.resolved_at.is_(None)),
                       INCIDENT_CRITERIA, q)


def list_historic_incidents(session: Session, actor: Actor, q: Query, page: Page) -> list[Incident]:
    query, parameters = historic_incidents_query(actor, q)
    ordered = qc.ordered(query, HISTORIC_INCIDENT_SORTS, q, Incident.created_at, Incident.id)
    return list(session.scalars(page.apply(ordered), parameters))


def historic_incidents_query(actor: Actor, q: Query) -> tuple:
    return qc.filtered(actor, _readable_incidents(actor), HISTORIC_INCIDENT_CRITERIA, q)


def open_incident(session: Session, actor: Actor, incident_id: str) -> Incident:
    """One open incident, for whoever may read it (NotFound for anyone else)."""
    found = session.scalar(_readable_incidents(actor).where(
        Incident.id == incident_id, Incident.resolved_at.is_(None)))
    if found is None:
        raise NotFound(f"未找到事件 {incident_id} / incident {incident_id} not found")
    return found


def _readable_incidents(actor: Actor):
    query = select(Incident).where(Incident.instance_id.in_(visible_instance_ids(actor)))
    if not confidential.sees_all(actor):
        # An incident of the panel's steps tells how many reviews there are and who is late.
        query = query.where(confidential.not_confidential(Incident.activity_id))
    return query


_HA = HistoricActivity
# Camunda's historic activity filters over what an activity row keeps (its id is also its
# execution's, and a user task's its task's).
HISTORIC_ACTIVITY_CRITERIA: dict[str, qc.Criterion] = {
    "activityInstanceId": qc.Equal(_HA.id), "executionId": qc.Equal(_HA.id),
    "processInstanceId": qc.Equal(_HA.instance_id), "processDefinitionId": qc.Equal(_HA.definition_id),
    "activityId": qc.Equal(_HA.activity_id), "activityType": qc.Equal(_HA.activity_type),
    "activityName": qc.Equal(_HA.activity_name), "activityNameLike": qc.Matching(_HA.activity_name),
    "finished": qc.Flag(_HA.end_time.is_not(None)), "unfinished": qc.Flag(_HA.end_time.is_(None)),
    "canceled": qc.Flag(_HA.canceled.is_(True)), "taskAssignee": qc.Equal(_HA.assignee),
    "startedBefore": qc.Until(_HA.start_time), "startedAfter": qc.Since(_HA.start_time),
    "finishedBefore": qc.Until(_HA.end_time), "finishedAfter": qc.Since(_HA.end_time),
    **qc.WITHOUT_TENANTS,
}
ACTIVITY_SORTS = {"activityInstanceId": _HA.id, "executionId": _HA.id, "instanceId": _HA.instance_id,
                  "definitionId": _HA.definition_id, "startTime": _HA.start_time, "endTime": _HA.end_time,
                  "activityId": _HA.activity_id, "activityName": _HA.activity_name,
                  "activityType": _HA.activity_type}


def historic_activities(session: Session, actor: Actor, q: Query, page: Page):
    """By start, an activity still running after the ended ones of its moment, unless `q`
    sorts otherwise; within one instant, in the order they were written (a random id would
    scramble a step and the gateway after it)."""
    query, parameters = historic_activities_query(actor, q)
    ordered = qc.ordered(query, ACTIVITY_SORTS, q, _HA.start_time, _HA.end_time.is_(None))
    return list(session.scalars(page.apply(ordered), parameters))


def historic_activity(session: Session, actor: Actor, activity_instance_id: str) -> HistoricActivity:
    """One activity instance, running or ended, for whoever may read it and its step
    (NotFound for anyone else, as for one that is not there)."""
    found = session.scalar(*historic_activities_query(actor, Query({"activityInstanceId": activity_instance_id})))
    if found is None:
        raise NotFound(f"历史活动实例 {activity_instance_id} 不存在或无权查看 / "
                       f"historic activity instance {activity_instance_id} not found")
    return found


def historic_activities_query(actor: Actor, q: Query) -> tuple:
    query = select(_HA).where(
        _HA.instance_id.in_(visible_instance_ids(actor)),
        confidential.step_condition(actor, _HA.activity_id, _HA.assignee),
    )
    return qc.filtered(actor, query, HISTORIC_ACTIVITY_CRITERIA, q)


def active_activities(session: Session, actor: Actor, instance_id: str):
    """The instance's running activities that `actor` may see."""
    return list(session.scalars(
        select(HistoricActivity).where(
            HistoricActivity.instance_id == instance_id, HistoricActivity.end_time.is_(None),
            confidential.step_condition(actor, HistoricActivity.activity_id, HistoricActivity.assignee),
        ).order_by(HistoricActivity.start_time)
    ))


def open_incident_ids(session: Session, instance_id: str) -> dict[str, list[str]]:
    rows = session.execute(select(Incident.activity_id, Incident.id).where(
        Incident.instance_id == instance_id, Incident.resolved_at.is_(None)
    )).all()
    found: dict[str, list[str]] = {}
    for activity_id, incident_id in rows:
        found.setdefault(activity_id, []).append(incident_id)
    return found
