"""The external task log (Camunda's historic external task log): each external task's
creation, every failure a worker reported, its success or its deletion, written by the
command that did it and read by whoever reads external tasks.

A task is created and ends in the save of its instance (`external_task_rows.sync`); a
failure is a worker's own command; an instance deleted takes its tasks with it
(`process_instances.terminate`). The entry keeps what the task was at that moment: its
topic, worker, priority and retries, and a failure's message and details."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.models import ExternalTask, ExternalTaskLogEntry
from app.db import connection_of
from app.prepared import Prepared, writer

from . import query_criteria as qc
from .permissions import enforce, external_task_read_refusal
from .query_criteria import Query

CREATED, FAILED, SUCCESSFUL, DELETED = "created", "failed", "successful", "deleted"

_L = ExternalTaskLogEntry
_INSERT = Prepared(insert(_L.__table__))

CRITERIA: dict[str, qc.Criterion] = {
    "logId": qc.Equal(_L.id), "externalTaskId": qc.Equal(_L.external_task_id),
    "topicName": qc.Equal(_L.topic_name), "workerId": qc.Equal(_L.worker_id),
    "errorMessage": qc.Equal(_L.error_message),
    "activityIdIn": qc.OneOf(_L.activity_id),
    # An external task is its own activity instance and execution here.
    "activityInstanceIdIn": qc.OneOf(_L.external_task_id), "executionIdIn": qc.OneOf(_L.external_task_id),
    "processInstanceId": qc.Equal(_L.instance_id), "processDefinitionId": qc.Equal(_L.definition_id),
    "processDefinitionKey": qc.Equal(_L.process_key),
    "priorityLowerThanOrEquals": qc.Whole(lambda p: _L.priority <= p),
    "priorityHigherThanOrEquals": qc.Whole(lambda p: _L.priority >= p),
    "creationLog": qc.Flag(_L.state == CREATED), "failureLog": qc.Flag(_L.state == FAILED),
    "successLog": qc.Flag(_L.state == SUCCESSFUL), "deletionLog": qc.Flag(_L.state == DELETED),
    **qc.WITHOUT_TENANTS,
}
SORTS = {
    "timestamp": _L.occurred_at, "externalTaskId": _L.external_task_id, "retries": _L.retries,
    "priority": _L.priority, "topicName": _L.topic_name, "workerId": _L.worker_id, "activityId": _L.activity_id,
    "activityInstanceId": _L.external_task_id, "executionId": _L.external_task_id,
    "processInstanceId": _L.instance_id, "processDefinitionId": _L.definition_id,
    "processDefinitionKey": _L.process_key,
}


def created(writes, tasks: list[dict], now: datetime) -> None:
    """Log the new tasks' rows (as `external_task_rows` inserts them), with the save's writes."""
    writes.write(_INSERT, [_entry(CREATED, task, now) for task in tasks])


def ended(conn: Connection, writes, task_ids: list[str], succeeded: str | None, now: datetime) -> None:
    """Log the tasks about to leave (`succeeded`: the one a worker completed), read while
    their rows are still there."""
    if not task_ids:
        return
    rows = conn.execute(select(ExternalTask).where(ExternalTask.id.in_(task_ids)).order_by(ExternalTask.id))
    writes.write(_INSERT, [_entry(SUCCESSFUL if row.id == succeeded else DELETED, row._asdict(), now)
                           for row in rows])


def failed(session: Session, task: ExternalTask, now: datetime) -> None:
    """Log a failure a worker reported: the retries it left and its error."""
    writer(connection_of(session)).write(_INSERT, [_entry(FAILED, _fields(task), now)])


def deleted_with_instance(session: Session, instance_id: str, now: datetime) -> None:
    """Log the tasks of an instance being deleted, before they go."""
    tasks = session.scalars(select(ExternalTask).where(ExternalTask.instance_id == instance_id)
                            .order_by(ExternalTask.id))
    writer(connection_of(session)).write(_INSERT, [_entry(DELETED, _fields(task), now) for task in tasks])


def entries(session: Session, actor: Actor, q: Query, page: Page) -> list[ExternalTaskLogEntry]:
    query, parameters = entries_query(actor, q)
    ordered = qc.ordered(query, SORTS, q, _L.occurred_at, _L.id)
    return list(session.scalars(page.apply(ordered), parameters))


def entries_query(actor: Actor, q: Query) -> tuple:
    """The entries matching `q`, for whoever reads external tasks; and its parameters."""
    enforce(external_task_read_refusal(actor))
    return qc.filtered(actor, select(_L), CRITERIA, q)


def entry(session: Session, actor: Actor, log_id: str) -> ExternalTaskLogEntry:
    found = session.scalar(*entries_query(actor, Query({"logId": log_id})))
    if found is None:
        raise NotFound(f"外部任务日志 {log_id} 不存在 / Historic external task log with id {log_id} does not exist")
    return found


def _fields(task: ExternalTask) -> dict:
    return {column.name: getattr(task, column.key) for column in ExternalTask.__table__.columns}


def _entry(state: str, task: dict, now: datetime) -> dict:
    failure = state == FAILED
    return dict(
        id=str(uuid.uuid4()), occurred_at=now, state=state, external_task_id=task["id"],
        topic_name=task["topic_name"], worker_id=task["worker_id"], priority=task["priority"],
        retries=task["retries"], error_message=task["error_message"] if failure else None,
        error_details=task["error_details"] if failure else None, activity_id=task["activity_id"],
        instance_id=task["instance_id"], definition_id=task["definition_id"], process_key=task["process_key"],
    )
