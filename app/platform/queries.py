"""Read models: the plain queries behind lists and detail views (no workflow is loaded)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.prepared import Prepared
from app.models import (
    Deployment, DeploymentResource, HistoricActivity, HistoricTask, Incident, Job, ProcessDefinition,
    ProcessInstance, Task, TaskCandidate,
)

from app.core import confidential
from app.core.authorization import (
    candidate_of, instance_visibility, reader_parameters, task_visibility, visibility_shape,
)
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page

@dataclass(frozen=True)
class TaskFilter:
    process_instance_id: str | None = None
    business_key: str | None = None
    task_key: str | None = None
    process_key: str | None = None
    assignee: str | None = None
    candidate_group: str | None = None
    candidate_user: str | None = None
    unassigned: bool = False


_T = Task.__table__
_C = TaskCandidate.__table__
_FILTER_COLUMNS = (
    ("process_instance_id", _T.c.instance_id), ("business_key", _T.c.business_key),
    ("task_key", _T.c.task_key), ("process_key", _T.c.process_key), ("assignee", _T.c.assignee),
)
# One prepared statement per query shape: which filters are set, how many groups.
_TASK_LISTS: dict[tuple, Prepared] = {}


def list_tasks(session: Session, actor: Actor, f: TaskFilter, page: Page) -> list:
    """Open tasks as rows (attribute access like the ORM class; no identity-map cost).

    The REST task list is read before nearly every command, so its statement is built
    once per shape and reused with this call's values as parameters."""
    values, candidate = _task_values(session, actor, f)
    values.update(page_offset=page.offset, page_limit=page.limit)
    shape = (visibility_shape(actor), tuple(name for name in values if name.startswith("f_")),
             f.unassigned, None if candidate is None else len(candidate))
    statement = _TASK_LISTS.get(shape)
    if statement is None:
        statement = _TASK_LISTS[shape] = Prepared(_task_list(actor, f, values, candidate))
    return statement.all(connection_of(session), values)


def count_tasks(session: Session, actor: Actor, f: TaskFilter) -> int:
    values, candidate = _task_values(session, actor, f)
    query = _tasks_filtered(actor, f, values, candidate)
    return connection_of(session).execute(select(func.count()).select_from(query.subquery()), values).scalar_one()


def _task_values(session: Session, actor: Actor, f: TaskFilter) -> tuple[dict, dict | None]:
    """The statement's parameters: who reads, and the filter's values."""
    candidate = _candidate_parameters(session, f.candidate_user) if f.candidate_user else None
    values = {
        **reader_parameters(actor),
        **{f"f_{name}": getattr(f, name) for name, _ in _FILTER_COLUMNS if getattr(f, name)},
    }
    if f.candidate_group:
        values["f_candidate_group"] = f.candidate_group
    if candidate is not None:
        values.update(candidate)
    return values, candidate


def _task_list(actor: Actor, f: TaskFilter, values: dict, candidate: dict | None):
    return (_tasks_filtered(actor, f, values, candidate).order_by(_T.c.created_at, _T.c.id)
            .offset(bindparam("page_offset")).limit(bindparam("page_limit")))


def _tasks_filtered(actor: Actor, f: TaskFilter, values: dict, candidate: dict | None):
    query = select(_T).where(task_visibility(actor))
    for name, column in _FILTER_COLUMNS:
        if f"f_{name}" in values:
            query = query.where(column == bindparam(f"f_{name}"))
    if f.unassigned:
        query = query.where(_T.c.assignee.is_(None))
    if f.candidate_group:
        query = query.where(exists().where(
            _C.c.task_id == _T.c.id, _C.c.kind == "group", _C.c.value == bindparam("f_candidate_group"),
        ))
    if candidate is not None:
        query = query.where(_T.c.assignee.is_(None), _candidate_condition(candidate))
    return query


def _candidate_parameters(session: Session, user_id: str) -> dict:
    """The candidate user filter's values: the user and the groups they act for."""
    from app.core.identity import load_actor

    user = load_actor(session, user_id)
    groups = sorted(user.candidate_values) if user else []
    return {"cu_id": user_id, **{f"cu_group_{n}": group for n, group in enumerate(groups)}}


def _candidate_condition(candidate: dict):
    groups = [bindparam(name) for name in candidate if name.startswith("cu_group_")]
    return candidate_of(bindparam("cu_id"), groups)


def count_of(session: Session, query) -> int:
    """How many rows a list's query finds, unpaged (Camunda's `/count`)."""
    return session.scalar(select(func.count()).select_from(query.subquery()))


def list_instances(session: Session, actor: Actor, process_key: str | None,
                   business_key: str | None, page: Page, active_only: bool = True):
    query = instances_query(actor, process_key, business_key, active_only)
    return list(session.scalars(page.apply(query.order_by(ProcessInstance.start_time))))


def instances_query(actor: Actor, process_key: str | None, business_key: str | None,
                    active_only: bool = True):
    query = select(ProcessInstance).where(instance_visibility(actor))
    if active_only:
        query = query.where(ProcessInstance.end_time.is_(None))
    if process_key:
        query = query.where(ProcessInstance.process_key == process_key)
    if business_key:
        query = query.where(ProcessInstance.business_key == business_key)
    return query


def list_definitions(session: Session, key: str | None, latest_only: bool, page: Page):
    return list(session.scalars(page.apply(
        definitions_query(key, latest_only).order_by(ProcessDefinition.key, ProcessDefinition.version)
    )))


def definitions_query(key: str | None, latest_only: bool):
    query = select(ProcessDefinition)
    if key:
        query = query.where(ProcessDefinition.key == key)
    if latest_only:
        latest = (
            select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
            .group_by(ProcessDefinition.key).subquery()
        )
        query = query.join(latest, (ProcessDefinition.key == latest.c.key)
                           & (ProcessDefinition.version == latest.c.v))
    return query


def list_deployments(session: Session, page: Page):
    return list(session.scalars(page.apply(deployments_query().order_by(Deployment.deployed_at))))


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


def list_jobs(session: Session, actor: Actor, instance_id: str | None, page: Page):
    return list(session.scalars(page.apply(jobs_query(actor, instance_id).order_by(Job.due_at, Job.id))))


def jobs_query(actor: Actor, instance_id: str | None):
    query = select(Job).where(Job.instance_id.in_(visible_instance_ids(actor)))
    if not confidential.sees_all(actor):
        query = query.where(confidential.not_confidential(Job.activity_id))
    if instance_id:
        query = query.where(Job.instance_id == instance_id)
    return query


def list_incidents(session: Session, actor: Actor, instance_id: str | None, page: Page):
    return list(session.scalars(page.apply(incidents_query(actor, instance_id).order_by(Incident.created_at))))


def incidents_query(actor: Actor, instance_id: str | None):
    query = select(Incident).where(
        Incident.resolved_at.is_(None), Incident.instance_id.in_(visible_instance_ids(actor))
    )
    if not confidential.sees_all(actor):
        # An incident of the panel's steps tells how many reviews there are and who is late.
        query = query.where(confidential.not_confidential(Incident.activity_id))
    if instance_id:
        query = query.where(Incident.instance_id == instance_id)
    return query


def historic_instances(session: Session, actor: Actor, process_key: str | None,
                       business_key: str | None, instance_id: str | None, page: Page):
    query = historic_instances_query(actor, process_key, business_key, instance_id)
    return list(session.scalars(page.apply(query.order_by(ProcessInstance.start_time))))


def historic_instances_query(actor: Actor, process_key: str | None, business_key: str | None,
                             instance_id: str | None):
    query = instances_query(actor, process_key, business_key, active_only=False)
    return query.where(ProcessInstance.id == instance_id) if instance_id else query


@dataclass(frozen=True)
class ActivityFilter:
    """Camunda's filters of historic activity instances (what a path view asks for)."""

    instance_id: str | None = None
    definition_id: str | None = None
    activity_id: str | None = None
    activity_type: str | None = None
    finished: bool | None = None
    canceled: bool | None = None
    sort_by: str = "startTime"
    descending: bool = False


ACTIVITY_SORTS = {"startTime": HistoricActivity.start_time, "endTime": HistoricActivity.end_time,
                  "activityId": HistoricActivity.activity_id, "activityName": HistoricActivity.activity_name,
                  "activityType": HistoricActivity.activity_type}


def historic_activities(session: Session, actor: Actor, f: ActivityFilter, page: Page):
    query = _historic_activity_query(actor, f)
    column = ACTIVITY_SORTS[f.sort_by]
    order = column.desc() if f.descending else column.asc()
    return list(session.scalars(page.apply(
        query.order_by(order, HistoricActivity.end_time.is_(None)))))


def count_historic_activities(session: Session, actor: Actor, f: ActivityFilter) -> int:
    return session.scalar(select(func.count()).select_from(_historic_activity_query(actor, f).subquery()))


def _historic_activity_query(actor: Actor, f: ActivityFilter):
    query = select(HistoricActivity).where(
        HistoricActivity.instance_id.in_(visible_instance_ids(actor)),
        confidential.step_condition(actor, HistoricActivity.activity_id, HistoricActivity.assignee),
    )
    equal = ((HistoricActivity.instance_id, f.instance_id), (HistoricActivity.definition_id, f.definition_id),
             (HistoricActivity.activity_id, f.activity_id), (HistoricActivity.activity_type, f.activity_type))
    query = query.where(*(column == value for column, value in equal if value))
    if f.finished is not None:
        query = query.where(HistoricActivity.end_time.is_not(None) if f.finished
                            else HistoricActivity.end_time.is_(None))
    if f.canceled is not None:
        query = query.where(HistoricActivity.canceled == f.canceled)
    return query


def historic_tasks(session: Session, actor: Actor, instance_id: str | None,
                   assignee: str | None, finished: bool | None, page: Page):
    query = historic_tasks_query(actor, instance_id, assignee, finished)
    return list(session.scalars(page.apply(query.order_by(HistoricTask.start_time))))


def historic_tasks_query(actor: Actor, instance_id: str | None, assignee: str | None,
                         finished: bool | None):
    query = select(HistoricTask).where(
        confidential.step_condition(actor, HistoricTask.task_key, HistoricTask.assignee))
    if not actor.sees_everything:
        query = query.where(
            (HistoricTask.assignee == actor.id)
            | HistoricTask.instance_id.in_(visible_instance_ids(actor))
        )
    if instance_id:
        query = query.where(HistoricTask.instance_id == instance_id)
    if assignee:
        query = query.where(HistoricTask.assignee == assignee)
    if finished is True:
        query = query.where(HistoricTask.end_time.is_not(None))
    elif finished is False:
        query = query.where(HistoricTask.end_time.is_(None))
    return query


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
