"""Run service-task handlers inside the command, turning failures into retrying jobs."""
from __future__ import annotations

import logging
import traceback

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine.errors import EngineError
from app.models import Incident, Job, JobType

from app.core.context import AppContext
from app.core.extensions import ServiceTaskEvent
from app.platform import job_definition_states, job_log
from app.platform.instance_store import Loaded, backoff, new_id, secure_row

log = logging.getLogger(__name__)


def run_pending(ctx: AppContext, session: Session, loaded: Loaded) -> None:
    """Call the handler of every service task the instance waits on, until none is left.

    Each handler runs in a savepoint: a failure rolls back what it wrote, leaves the task
    waiting, and hands it to the job executor with one attempt used.
    """
    failed = set(loaded.waits.get("service_jobs", ()))
    waiting = loaded.execution.service_tasks()
    while True:
        pending = [t for t in waiting if not t.external and t.id not in failed]
        if not pending:
            break
        secure_row(session, loaded)  # a failed call's job and a handler's rows refer to it
        for task in pending:
            error = call_handler(ctx, session, loaded, task)
            if error is not None:
                schedule_retry(ctx, session, loaded, task, error)
                failed.add(task.id)
        waiting = loaded.execution.service_tasks()
    loaded.waits["service_jobs"] = sorted(failed & {t.id for t in waiting})


def call_handler(ctx: AppContext, session: Session, loaded: Loaded, task) -> str | None:
    """Run one handler; None when it succeeded and the engine moved on, else the error."""
    handler = ctx.handlers.handler(task.topic or "")
    if handler is None:
        return f"没有处理主题 {task.topic} 的服务 / no handler for topic {task.topic}"
    event = ServiceTaskEvent(
        topic=task.topic, process_instance_id=loaded.row.id,
        business_key=loaded.row.business_key, activity_id=task.activity_id,
        variables=dict(loaded.execution.variables()), session=session, now=ctx.now(), app=ctx,
    )
    savepoint = session.begin_nested()
    try:
        result = handler(event)
        loaded.execution.complete_service_task(task.id, result or {})
    except EngineError:
        savepoint.rollback()
        raise
    except Exception as error:
        savepoint.rollback()
        log.warning("service task %s failed: %s", task.topic, error)
        return f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"
    savepoint.commit()
    loaded.record("service_task_completed", activity_id=task.activity_id, task_id=task.id,
                  topic=task.topic)
    return None


def schedule_retry(ctx: AppContext, session: Session, loaded: Loaded, task, error: str) -> None:
    retries = ctx.settings.job_retries - 1
    job_id = new_id()
    job = dict(
        id=job_id, job_type=JobType.SERVICE, instance_id=loaded.row.id,
        definition_id=loaded.row.definition_id, process_key=loaded.row.process_key,
        activity_id=task.activity_id, execution_id=task.id,
        due_at=ctx.now() + backoff(0), retries=retries, exception_message=error,
        created_at=ctx.now(),
    )
    session.execute(insert(Job).values(job))
    job_definition_states.suspend_new_jobs(connection_of(session), loaded.row.id, JobType.SERVICE, job["created_at"])
    # The task's first attempt failed in the command that reached it: the job retries it.
    job_log.noted(session, job, job_log.CREATED, ctx.now())
    job_log.noted(session, job, job_log.FAILED, ctx.now())
    loaded.record("job_failed", activity_id=task.activity_id, task_id=task.id,
                  job_id=job_id, retries=retries, error=error.splitlines()[0])
    if retries <= 0:
        open_incident(ctx, session, loaded, job_id, task.activity_id, error)


def open_incident(ctx, session, loaded: Loaded, job_id: str, activity_id: str, error: str) -> None:
    exists = session.scalar(select(Incident.id).where(
        Incident.job_id == job_id, Incident.resolved_at.is_(None)
    ))
    if exists:
        return
    session.add(Incident(
        id=new_id(), incident_type="failedJob", instance_id=loaded.row.id,
        definition_id=loaded.row.definition_id, process_key=loaded.row.process_key,
        activity_id=activity_id, job_id=job_id, message=error.splitlines()[0],
        created_at=ctx.now(),
    ))
    loaded.record("incident_created", activity_id=activity_id, job_id=job_id,
                  error=error.splitlines()[0])
