"""The job executor: due timers and retried service tasks, with locks, retries and incidents."""
from __future__ import annotations

import logging
import os
import socket
import traceback
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.db import is_sqlite
from app.engine.errors import TaskNotReady
from app.models import Incident, InstanceState, Job, JobType, ProcessInstance

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound, ServiceError
from app.core.identity import Actor
from app.platform import history, instance_store, job_log, service_tasks
from app.platform.permissions import enforce, job_execute_refusal, job_retries_refusal
from app.platform.process_instances import advance

log = logging.getLogger(__name__)
# Who may run a job ahead of its time.
# Retries beyond this are a typo, and the column is a 32-bit integer.
MAX_RETRIES = 100
# Jobs one command sets the retries of at most.
MAX_JOBS_AT_ONCE = 1000


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(ctx: AppContext, limit: int = 10, owner: str | None = None) -> list[str]:
    """Lock up to `limit` due jobs for this worker; other workers skip them."""
    owner = owner or worker_id()
    now = ctx.now()
    with ctx.db.command() as session:
        query = (
            select(Job.id).where(
                Job.due_at <= now, Job.retries > 0, Job.suspended.is_(False),
                or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now),
            ).order_by(Job.due_at).limit(limit)
        )
        if not is_sqlite(ctx.db.engine):
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(Job).where(Job.id.in_(ids)).values(
                lock_owner=owner,
                lock_expires_at=now + timedelta(seconds=ctx.settings.job_lock_seconds),
            ))
    return ids


def execute_due_jobs(ctx: AppContext, limit: int = 10) -> int:
    """One pass of the executor loop; returns how many jobs it ran.

    Each job runs in its own command: one that failed, vanished (an earlier job of the pass
    removed it) or passed to another worker never holds up the rest of the pass.
    """
    owner = worker_id()
    return sum(run_acquired(ctx, job_id, owner) for job_id in acquire(ctx, limit, owner))


def run_acquired(ctx: AppContext, job_id: str, owner: str) -> bool:
    """Run a job `owner` locked; False, untouched, when it is gone or its lock is no longer ours."""
    return _run(ctx, job_id, owner, forced=False)


def execute_now(ctx: AppContext, actor: Actor, job_id: str) -> None:
    """Run a job now, whoever holds its lock (Camunda's POST /job/{id}/execute): the
    department's officers and administrators."""
    enforce(job_execute_refusal(actor))
    if not _run(ctx, job_id, None, forced=True):
        raise NotFound(f"作业 {job_id} 不存在 / job not found")


def _run(ctx: AppContext, job_id: str, owner: str | None, forced: bool) -> bool:
    """Execute one job in its own transaction; a failure is recorded in another."""
    try:
        with ctx.db.command() as session:
            return _execute(ctx, session, job_id, owner, forced)
    except Conflict:
        _release(ctx, job_id)
        return False
    except Exception as error:
        message = _record_failure(ctx, job_id, error)
        if forced:
            raise JobExecutionFailed(
                f"作业执行失败：{message.splitlines()[0] if message else error} / the job failed"
            ) from error
    return True


def _execute(ctx: AppContext, session: Session, job_id: str, owner: str | None, forced: bool) -> bool:
    job = _locked_job(ctx, session, job_id, owner)
    if job is None:
        return False
    instance = session.get(ProcessInstance, job.instance_id)
    if instance is None or instance.state != InstanceState.ACTIVE:
        job_log.noted(session, job, job_log.DELETED, ctx.now())
        session.delete(job)
        return True
    loaded = instance_store.load(ctx, session, job.instance_id)
    if job.job_type == JobType.TIMER:
        _fire_timer(loaded, job, forced)
    else:
        _retry_service(ctx, session, loaded, job)
    advance(ctx, session, loaded, None)
    job_log.noted(session, job, job_log.SUCCESSFUL, ctx.now(), worker_id())
    _resolve_incidents(ctx, session, job.id)
    if job.job_type == JobType.TIMER and any(
        t.execution_id == job.execution_id for t in loaded.execution.timers()
    ):
        # A cycle's next tick: `save` moved the job's due date; it stays, unlocked.
        job.lock_owner = None
        job.lock_expires_at = None
    else:
        # `save` may already have deleted a fired timer's job: no ORM delete of a gone row.
        session.execute(delete(Job).where(Job.id == job_id))
    return True


def _locked_job(ctx: AppContext, session: Session, job_id: str, owner: str | None) -> Job | None:
    """The job, read again once its instance row is this command's (instance first, as every
    command takes it); None when it is gone or, for `owner`, its lock is no longer theirs."""
    instance_id = session.scalar(select(Job.instance_id).where(Job.id == job_id))
    if instance_id is None:
        return None
    instance_store.lock_instance(session, instance_id)
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or owner is None:
        return job
    if job.lock_owner != owner or job.lock_expires_at is None or job.lock_expires_at <= ctx.now():
        return None
    return job


def _fire_timer(loaded, job: Job, forced: bool) -> None:
    """Fire the job's timer: now when forced, else as due (a job due exactly now runs)."""
    loaded.waits["fired_timer"] = job.execution_id
    try:
        if forced:
            loaded.execution.fire_timer(job.execution_id)
        else:
            loaded.execution.fire_due_timer(job.execution_id)
    except TaskNotReady:
        # The timer is no longer waiting (its activity ended): `save` drops the job.
        loaded.execution.refresh_timers()
        return
    loaded.record("timer_fired", activity_id=job.activity_id, task_id=job.execution_id)


def _retry_service(ctx, session, loaded, job: Job) -> None:
    task = next((t for t in loaded.execution.service_tasks() if t.id == job.execution_id), None)
    if task is None:
        return
    error = service_tasks.call_handler(ctx, session, loaded, task)
    if error is not None:
        raise JobFailed(error)
    loaded.waits["service_jobs"] = [
        t for t in loaded.waits.get("service_jobs", ()) if t != job.execution_id
    ]


class JobFailed(Exception):
    """A handler failed again inside the executor."""


class JobExecutionFailed(ServiceError):
    """A job run on request failed (recorded like any failure): Camunda answers 500."""

    status = 500
    error_type = "ProcessEngineException"


def _resolve_incidents(ctx, session, job_id: str) -> None:
    session.execute(update(Incident).where(
        Incident.job_id == job_id, Incident.resolved_at.is_(None)
    ).values(resolved_at=ctx.now()))


def _release(ctx: AppContext, job_id: str) -> None:
    with ctx.db.command() as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            lock_owner=None, lock_expires_at=None))


def _record_failure(ctx: AppContext, job_id: str, error: Exception) -> str:
    message = str(error) if isinstance(error, (JobFailed, ServiceError)) else (
        f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"
    )
    log.warning("job %s failed: %s", job_id, message.splitlines()[0] if message else error)
    with ctx.db.command() as session:
        job = session.get(Job, job_id)
        if job is None:
            return message
        job.retries = max(job.retries - 1, 0)
        job.exception_message = message
        job.lock_owner = None
        job.lock_expires_at = None
        attempt = ctx.settings.job_retries - job.retries
        job.due_at = ctx.now() + instance_store.backoff(attempt)
        instance = session.get(ProcessInstance, job.instance_id)
        events = [history.event("job_failed", activity_id=job.activity_id, job_id=job.id,
                                retries=job.retries, error=message.splitlines()[0] if message else "")]
        if job.retries == 0:
            loaded = instance_store.Loaded(instance, None, None, {}, {}, {})
            service_tasks.open_incident(ctx, session, loaded, job.id, job.activity_id, message or "")
            events += loaded.events
        history.append(session, job.instance_id, job.process_key, events, ctx.now())
        job_log.noted(session, job, job_log.FAILED, ctx.now(), worker_id())
    return message


def set_retries_of_many(ctx: AppContext, session: Session, actor: Actor, job_ids: list[str], retries,
                        due: datetime | None = None) -> int:
    """The retries of many jobs (Camunda's batch), set in one command as `set_retries` sets
    one's, each audited; `due` another due date for them all. Returns how many."""
    chosen = sorted(set(job_ids))
    if not 0 < len(chosen) <= MAX_JOBS_AT_ONCE:
        raise BadRequest(f"应指定 1 到 {MAX_JOBS_AT_ONCE} 个作业 / name 1 to {MAX_JOBS_AT_ONCE} jobs",
                         [{"field": "jobIds", "message": f"应指定 1 到 {MAX_JOBS_AT_ONCE} 个作业"}])
    for job_id in chosen:
        job = set_retries(ctx, session, actor, job_id, retries)
        if due is not None:
            job.due_at = due
    return len(chosen)


def check_retries(retries) -> None:
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
        raise BadRequest(f"retries 应为 0 到 {MAX_RETRIES} 之间的整数 / retries must be an integer "
                         f"from 0 to {MAX_RETRIES}",
                         [{"field": "retries", "message": f"应为 0 到 {MAX_RETRIES} 之间的整数"}])


def job_ids_of_instances(session: Session, instance_ids: list[str]) -> list[str]:
    return list(session.scalars(select(Job.id).where(Job.instance_id.in_(instance_ids)).order_by(Job.id)))


def set_retries(ctx: AppContext, session: Session, actor: Actor, job_id: str, retries,
                reason: str | None = None) -> Job:
    """Give a job its retries back (and so resolve its incident): administrators only."""
    refusal = job_retries_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, "job.retries", user_id=actor.id, target=job_id,
                             source=actor.source, details={"retries": retries})
        raise refusal
    check_retries(retries)
    job = _locked_job(ctx, session, job_id, None)
    if job is None:
        raise NotFound(f"作业 {job_id} 不存在 / job not found")
    audit.record(ctx, session, "job.retries", user_id=actor.id, target=job.id, source=actor.source,
                 details={"retries": retries, "processInstanceId": job.instance_id,
                          "activityId": job.activity_id, "reason": reason})
    job.retries = retries
    job.due_at = ctx.now()
    job.lock_owner = None
    job.lock_expires_at = None
    if retries > 0:
        _resolve_incidents(ctx, session, job_id)
    return job
