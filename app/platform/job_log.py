"""The job log (Camunda's historic job log): each job's creation, every failure, its
success or its deletion, written by the command that did it and read as jobs are read.

A timer's job is created and goes in the save of its instance (`instance_store`): the
entry of one that goes is written from its row by the statement before the one deleting
it, so logging costs the save no round trip. The executor logs what it runs
(`jobs`), a failed service task the job that retries it (`service_tasks`), and an instance
deleted its jobs (`process_instances.terminate`)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import String, bindparam, insert, literal, null, select, true
from sqlalchemy.orm import Session

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.db import connection_of
from app.engine.model_summary import TIMER_DEFINITION_TYPES
from app.models import Job, JobLogEntry, JobType, ProcessDefinition
from app.models.base import UtcDateTime
from app.prepared import Prepared, writer

from . import query_criteria as qc
from .queries import visible_instance_ids
from .query_criteria import Query

CREATED, FAILED, SUCCESSFUL, DELETED = "created", "failed", "successful", "deleted"

_L = JobLogEntry
_JOB = Job.__table__
_INSERT = Prepared(insert(_L.__table__))
# The entry of a timer's job about to be deleted, made from its row.
_TIMER_GONE = Prepared(insert(_L.__table__).from_select(
    ["id", "occurred_at", "state", "job_id", "job_type", "due_at", "retries", "exception_message", "activity_id",
     "execution_id", "instance_id", "definition_id", "process_key", "hostname"],
    select(bindparam("log_id", type_=String(36)), bindparam("now", type_=UtcDateTime()), literal(DELETED),
           _JOB.c.id, literal(JobType.TIMER.value), _JOB.c.due_at, _JOB.c.retries, _JOB.c.exception_message,
           _JOB.c.activity_id, _JOB.c.execution_id, _JOB.c.instance_id, _JOB.c.definition_id, _JOB.c.process_key,
           null())
    .where(_JOB.c.instance_id == bindparam("b_instance_id"), _JOB.c.job_type == JobType.TIMER,
           _JOB.c.execution_id == bindparam("b_execution_id"))))

CRITERIA: dict[str, qc.Criterion] = {
    "logId": qc.Equal(_L.id), "jobId": qc.Equal(_L.job_id),
    "jobExceptionMessage": qc.Test(lambda p: _L.exception_message.like(p + "%")),
    "activityIdIn": qc.OneOf(_L.activity_id),
    "failedActivityIdIn": qc.OneOf(_L.activity_id, within=lambda test: test & (_L.state == FAILED)),
    "executionIdIn": qc.OneOf(_L.execution_id),
    "processInstanceId": qc.Equal(_L.instance_id), "processDefinitionId": qc.Equal(_L.definition_id),
    "processDefinitionKey": qc.Equal(_L.process_key), "hostname": qc.Equal(_L.hostname),
    # Every job here has Camunda's default priority.
    "jobPriorityLowerThanOrEquals": qc.Whole(lambda p: p >= 0),
    "jobPriorityHigherThanOrEquals": qc.Whole(lambda p: p <= 0),
    "creationLog": qc.Flag(_L.state == CREATED), "failureLog": qc.Flag(_L.state == FAILED),
    "successLog": qc.Flag(_L.state == SUCCESSFUL), "deletionLog": qc.Flag(_L.state == DELETED),
    **qc.WITHOUT_TENANTS,
}
SORTS = {
    "timestamp": _L.occurred_at, "jobId": _L.job_id, "jobDueDate": _L.due_at, "jobRetries": _L.retries,
    "activityId": _L.activity_id, "executionId": _L.execution_id, "processInstanceId": _L.instance_id,
    "processDefinitionId": _L.definition_id, "processDefinitionKey": _L.process_key, "hostname": _L.hostname,
}


def created(writes, jobs: list[dict], now: datetime) -> None:
    """Log new jobs' rows (as they are inserted), with the save's writes."""
    writes.write(_INSERT, [_entry(CREATED, job, now) for job in jobs])


def timers_gone(writes, instance_id: str, execution_ids: list[str], now: datetime) -> None:
    """Log the timers' jobs the save is about to delete, before it does."""
    writes.write(_TIMER_GONE, [{"log_id": str(uuid.uuid4()), "now": now, "b_instance_id": instance_id,
                                "b_execution_id": execution_id} for execution_id in execution_ids])


def noted(session: Session, job: Job | dict, state: str, now: datetime, hostname: str | None = None) -> None:
    """Log what a command did to `job` (a row, or the values of one being inserted)."""
    fields = job if isinstance(job, dict) else {c.name: getattr(job, c.key) for c in _JOB.columns}
    writer(connection_of(session)).write(_INSERT, [_entry(state, fields, now, hostname)])


def deleted_with_instance(session: Session, instance_id: str, now: datetime) -> None:
    """Log the jobs of an instance being deleted, before they go."""
    for job in session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.id)):
        noted(session, job, DELETED, now)


def entries(session: Session, actor: Actor, q: Query, page: Page) -> list[JobLogEntry]:
    query, parameters = entries_query(actor, q)
    return list(session.scalars(page.apply(qc.ordered(query, SORTS, q, _L.occurred_at, _L.id)), parameters))


def entries_query(actor: Actor, q: Query) -> tuple:
    """The entries matching `q` of the jobs `actor` may read (as `/job` shows them)."""
    steps = true() if confidential.sees_all(actor) else confidential.not_confidential(_L.activity_id)
    query = select(_L).where(_L.instance_id.in_(visible_instance_ids(actor)), steps)
    return qc.filtered(actor, query, CRITERIA, q)


def entry(session: Session, actor: Actor, log_id: str) -> JobLogEntry:
    found = session.scalar(*entries_query(actor, Query({"logId": log_id})))
    if found is None:
        raise NotFound(f"作业日志 {log_id} 不存在 / historic job log with id {log_id} does not exist")
    return found


def definition_type(ctx: AppContext, session: Session, found: JobLogEntry) -> str:
    """Camunda's job definition type of the entry's job, by the kind of its element."""
    if found.job_type != JobType.TIMER.value:
        return "async-continuation"
    kinds = ctx.caches.setdefault("element_kinds", {})
    if found.definition_id not in kinds:
        elements = session.scalar(select(ProcessDefinition.elements_json)
                                  .where(ProcessDefinition.id == found.definition_id))
        kinds[found.definition_id] = {key: e.get("type") for key, e in json.loads(elements or "{}").items()}
    return TIMER_DEFINITION_TYPES.get(kinds[found.definition_id].get(found.activity_id), "timer-transition")


def _entry(state: str, job: dict, now: datetime, hostname: str | None = None) -> dict:
    kind = job["job_type"]
    return dict(
        id=str(uuid.uuid4()), occurred_at=now, state=state, job_id=job["id"],
        job_type=kind.value if isinstance(kind, JobType) else str(kind).lower(), due_at=job["due_at"],
        retries=job["retries"], exception_message=job.get("exception_message") if state == FAILED else None,
        activity_id=job["activity_id"], execution_id=job["execution_id"], instance_id=job["instance_id"],
        definition_id=job["definition_id"], process_key=job["process_key"], hostname=hostname,
    )
