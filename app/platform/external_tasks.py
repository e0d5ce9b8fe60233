"""External tasks (Camunda 7's): workers fetch and lock the service tasks left to them, then
complete them, report a failure or a BPMN error, extend or give back their lock.

A task is fetched by one worker at a time: its row is locked while the fetch takes it
(FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serializes writers) and taken only where its
lock has expired (a conditional UPDATE), so a worker that dies leaves the task to the next
fetch once its lock runs out. A command on a task takes its instance's row first, as every
command does, then the task's row: it and a fetch never interleave.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, false, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.db import connection_of, is_sqlite
from app.engine.errors import EngineError, TaskNotReady
from app.models import ExternalTask, Incident, ProcessInstance

from app.core import audit, confidential
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound, Suspended
from app.core.identity import Actor
from app.platform import external_task_log, external_task_rows, history, instance_store, long_polling, variable_files
from app.platform import done_batches
from app.platform.done_batches import DoneBatch
from app.platform.external_task_requests import (
    MAX_DURATION_MS, MAX_RETRIES, FetchRequest, Topic, integer, text, worker_id as read_worker_id,
)
from app.platform.permissions import (
    enforce, external_task_operation_refusal, external_work_refusal,
)
from app.platform.process_instances import advance
from app.prepared import Immediate

INCIDENT_TYPE = "failedExternalTask"
ERROR_MESSAGE_MAX = 666


@dataclass(frozen=True)
class Locked:
    """A task a fetch locked, with the variables it asked for (values and declared types,
    and the Base64 text of its Bytes ones, which Camunda sends inline)."""

    task: ExternalTask
    variables: dict
    types: dict
    inline_bytes: dict


# Fetching -----------------------------------------------------------------------------------

def fetch_and_lock(ctx: AppContext, actor: Actor, request: FetchRequest) -> list[Locked]:
    """Lock up to `maxTasks` tasks of the topics for the worker. With `asyncResponseTimeout`
    and nothing there, wait for work (long_polling.py) and answer when some was locked or
    the time is up (an empty list)."""
    enforce(external_work_refusal(actor))
    found = _fetch_once(ctx, actor, request)
    if found or request.wait_ms <= 0 or not _could_match(request):
        return found
    with long_polling.slot(ctx) as waiting_allowed:
        if not waiting_allowed:
            return found
        deadline = long_polling.deadline_after(request.wait_ms)
        with long_polling.wake_up(ctx) as wake:
            while True:
                found = _fetch_once(ctx, actor, request)
                left = long_polling.remaining(deadline)
                if found or left <= 0:
                    return found
                wake.wait(left)


def _could_match(request: FetchRequest) -> bool:
    """No task can ever answer a fetch of no topics (or only tenants'), or of none."""
    return request.max_tasks > 0 and any(not t.matches_nothing for t in request.topics)


def _fetch_once(ctx: AppContext, actor: Actor, request: FetchRequest) -> list[Locked]:
    if not _could_match(request):
        return []
    topics = [t for t in request.topics if not t.matches_nothing]
    # A poll that finds nothing writes nothing: a command would take SQLite's write lock
    # (and a PostgreSQL transaction) on every look of every waiting worker.
    with ctx.db.read() as session:
        if session.scalar(select(ExternalTask.id).where(*_fetchable(topics, ctx.now())).limit(1)) is None:
            return []
    with ctx.db.command() as session:
        now = ctx.now()
        query = select(ExternalTask).where(*_fetchable(topics, now))
        order = [ExternalTask.priority.desc()] if request.use_priority else []
        age = [ExternalTask.created_at.desc(), ExternalTask.id.desc()] if request.newest_first else [
            ExternalTask.created_at, ExternalTask.id]
        query = query.order_by(*order, *age).limit(request.max_tasks)
        if not is_sqlite(ctx.db.engine):
            # Rows another fetch is taking are left to it, not waited for.
            query = query.with_for_update(skip_locked=True)
        by_name = {t.name: t for t in topics}
        locked = [task for task in session.scalars(query)
                  if _take(session, task, request.worker_id, by_name[task.topic_name], now)]
        return _with_variables(session, actor, locked, by_name)


def _fetchable(topics: list[Topic], now) -> list:
    return [
        or_(*(_topic_condition(t) for t in topics)), ExternalTask.suspended.is_(False),
        or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
        or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
    ]


def _topic_condition(topic: Topic):
    conditions = [ExternalTask.topic_name == topic.name]
    if topic.business_key is not None:
        conditions.append(ExternalTask.business_key == topic.business_key)
    if topic.process_keys is not None:
        conditions.append(ExternalTask.process_key.in_(topic.process_keys) if topic.process_keys else false())
    if topic.definition_ids is not None:
        conditions.append(ExternalTask.definition_id.in_(topic.definition_ids) if topic.definition_ids else false())
    return and_(*conditions)


def _take(session: Session, task: ExternalTask, worker: str, topic: Topic, now) -> bool:
    """Lock `task` for `worker` where its lock has still expired: on SQLite the condition
    is what keeps a task from two workers should writers ever overlap."""
    expires = now + timedelta(milliseconds=topic.lock_ms)
    taken = session.execute(update(ExternalTask).where(
        ExternalTask.id == task.id,
        or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
    ).values(worker_id=worker, lock_expires_at=expires).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return False
    # What the UPDATE wrote, without the session writing it again at flush.
    set_committed_value(task, "worker_id", worker)
    set_committed_value(task, "lock_expires_at", expires)
    return True


def _with_variables(session: Session, actor: Actor, locked: list[ExternalTask],
                    topics: dict[str, Topic]) -> list[Locked]:
    stored = dict(session.execute(select(ProcessInstance.id, ProcessInstance.variables_json).where(
        ProcessInstance.id.in_(sorted({t.instance_id for t in locked})))).all()) if locked else {}
    found = []
    for task in locked:
        saved = json.loads(stored.get(task.instance_id) or "{}")
        values = confidential.visible_values(actor, saved.get("values", {}))
        wanted = topics[task.topic_name].variables
        if wanted is not None:
            values = {name: values[name] for name in wanted if name in values}
        types = saved.get("types", {})
        found.append(Locked(task, values, types,
                            variable_files.bytes_values(session, task.instance_id, types, values)))
    return found


# A worker's reports -------------------------------------------------------------------------

def complete(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict,
             values: dict, types: dict) -> str:
    """The worker's result: the variables join the instance, which runs on; returns the
    instance's id. Camunda's `localVariables` belong to the task's own scope, which ends
    with it: they are checked like the variables (the caller parsed both) and end with it."""
    enforce(external_work_refusal(actor))
    worker = read_worker_id(body)
    task = _held(session, task_id, worker, "完成", "External Task", "completed by")
    loaded = instance_store.load(ctx, session, task.instance_id)
    try:
        loaded.execution.complete_service_task(task_id, values)
    except TaskNotReady as error:
        raise _not_found(task_id) from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    loaded.types.update(types)
    loaded.waits["completed_external"] = task_id
    loaded.record("external_task_completed", actor.id, activity_id=task.activity_id, task_id=task_id,
                  topic=task.topic_name, worker_id=worker)
    advance(ctx, session, loaded, actor)
    return task.instance_id


def bpmn_error(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict,
               values: dict, types: dict) -> str:
    """The worker's BPMN error: the task's error boundary event for `errorCode` takes the
    instance on (with `variables`); returns the instance's id. Unlike Camunda, which then
    ends the execution, an error no boundary event catches is refused (400) and the task
    stays the worker's."""
    enforce(external_work_refusal(actor))
    worker = read_worker_id(body)
    code = text(body, "errorCode", required=True)
    message = body.get("errorMessage")
    if message is not None and not isinstance(message, str):
        raise _invalid("errorMessage", "应为文本 / must be a text")
    task = _held(session, task_id, worker, "报告 BPMN 错误", "Bpmn error of External Task", "reported by")
    loaded = instance_store.load(ctx, session, task.instance_id)
    try:
        caught = loaded.execution.throw_bpmn_error(task_id, code, values)
    except TaskNotReady as error:
        raise _not_found(task_id) from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    if not caught:
        raise _invalid("errorCode", f"「{task.activity_id}」没有捕获错误码 {code} 的边界错误事件 / no error "
                       f"boundary event of {task.activity_id} catches error code {code}")
    loaded.types.update(types)
    loaded.record("external_task_bpmn_error", actor.id, activity_id=task.activity_id, task_id=task_id,
                  topic=task.topic_name, worker_id=worker, error_code=code,
                  error_message=(message or "")[:ERROR_MESSAGE_MAX] or None)
    advance(ctx, session, loaded, actor)
    return task.instance_id


def failure(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict) -> None:
    """The worker failed: the error is kept, the task may be fetched again after
    `retryTimeout` (ms) while `retries` are left; none left raises an incident."""
    enforce(external_work_refusal(actor))
    worker = read_worker_id(body)
    retries = integer(body, "retries", 0, MAX_RETRIES, required=True)
    timeout = integer(body, "retryTimeout", 0, MAX_DURATION_MS) or 0
    message, details = body.get("errorMessage"), body.get("errorDetails")
    for name, value in (("errorMessage", message), ("errorDetails", details)):
        if value is not None and not isinstance(value, str):
            raise _invalid(name, "应为文本 / must be a text")
    task = _held(session, task_id, worker, "报告失败", "Failure of External Task", "reported by")
    task.error_message = message[:ERROR_MESSAGE_MAX] if message else None
    if details is not None:
        task.error_details = details
    task.lock_expires_at = ctx.now() + timedelta(milliseconds=timeout)
    events = [history.event("external_task_failed", actor.id, task.activity_id, task.id,
                            worker_id=worker, retries=retries, error=task.error_message)]
    _set_retries(ctx, session, task, retries, events)
    external_task_log.failed(session, task, ctx.now())


def extend_lock(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict) -> None:
    """More time for the worker that holds the lock, counted from now."""
    enforce(external_work_refusal(actor))
    worker = read_worker_id(body)
    duration = integer(body, "newDuration", 1, MAX_DURATION_MS, required=True)
    task = _held(session, task_id, worker, "延长锁定", "The lock of the External Task", "extended by")
    now = ctx.now()
    if task.lock_expires_at is None or task.lock_expires_at < now:
        raise BadRequest(f"外部任务 {task_id} 的锁定已过期，不能延长 / Cannot extend a lock that expired")
    task.lock_expires_at = now + timedelta(milliseconds=duration)


def lock(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict) -> None:
    """Lock one task by its id for a worker (Camunda 7.21's lock): refused while another
    worker's lock runs, renewed for the worker that holds it."""
    enforce(external_work_refusal(actor))
    worker = read_worker_id(body)
    duration = integer(body, "lockDuration", 1, MAX_DURATION_MS, required=True)
    task = _locked_row(session, task_id)
    now = ctx.now()
    if task.suspended:
        raise Suspended()
    if task.lock_expires_at is not None and task.lock_expires_at > now and task.worker_id != worker:
        raise BadRequest(
            f"外部任务 {task_id} 由工作者 {task.worker_id} 锁定，工作者 {worker} 不能锁定 / External Task "
            f"{task_id} cannot be locked by worker '{worker}'. It is locked by worker '{task.worker_id}'.")
    task.worker_id = worker
    task.lock_expires_at = now + timedelta(milliseconds=duration)


def unlock(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> None:
    """Give the task back: the next fetch may take it."""
    enforce(external_work_refusal(actor))
    task = _locked_row(session, task_id)
    task.worker_id = None
    task.lock_expires_at = None
    external_task_rows.announce(Immediate(connection_of(session)), connection_of(session), {task.topic_name})


# Operating ----------------------------------------------------------------------------------

def set_retries(ctx: AppContext, session: Session, actor: Actor, task_ids: list[str], retries,
                batch_id: str | None = None) -> None:
    """Give tasks retries (> 0 resolves their incidents and makes them fetchable again) or
    take them (0 raises one): administrators."""
    details = {"retries": retries, **({"batch_id": batch_id} if batch_id else {})}
    _operator(ctx, session, actor, "external_task.retries", task_ids, details)
    value = integer({"retries": retries}, "retries", 0, MAX_RETRIES, required=True)
    for task_id in task_ids:
        task = _locked_row(session, task_id)
        events = [history.event("external_task_retries_set", actor.id, task.activity_id, task.id,
                                retries=value)]
        _set_retries(ctx, session, task, value, events)


def set_retries_in_batch(ctx: AppContext, session: Session, actor: Actor, body: dict) -> DoneBatch:
    """`retries-async`: the retries of the tasks `body` names, set now (a done batch)."""
    task_ids = task_ids_of(session, body)
    batch = done_batches.keep(ctx, session, actor, "set-external-task-retries", len(task_ids), ctx.now())
    set_retries(ctx, session, actor, task_ids, body.get("retries"), batch.id)
    return batch


def set_priority(ctx: AppContext, session: Session, actor: Actor, task_id: str, priority) -> None:
    """Fetches with `usePriority` take higher priorities first: administrators."""
    _operator(ctx, session, actor, "external_task.priority", [task_id], {"priority": priority})
    value = integer({"priority": priority}, "priority", -(2**31), 2**31 - 1, required=True)
    _locked_row(session, task_id).priority = value


def _operator(ctx, session, actor: Actor, action: str, task_ids: list[str], details: dict) -> None:
    refusal = external_task_operation_refusal(actor)
    target = ",".join(task_ids)[:200]
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=target,
                             source=actor.source, details=details)
        raise refusal
    audit.record(ctx, session, action, user_id=actor.id, target=target, source=actor.source,
                 details=details)


def task_ids_of(session: Session, body: dict) -> list[str]:
    """The tasks a batch names: `externalTaskIds` and the tasks of `processInstanceIds`."""
    named: list[str] = []
    for name in ("externalTaskIds", "processInstanceIds"):
        value = body.get(name)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise _invalid(name, "应为文本数组 / must be an array of texts")
    named += body.get("externalTaskIds") or []
    instances = body.get("processInstanceIds") or []
    if instances:
        named += session.scalars(select(ExternalTask.id).where(ExternalTask.instance_id.in_(instances))
                                 .order_by(ExternalTask.id)).all()
    if not named:
        raise _invalid("externalTaskIds", "未指定外部任务 / externalTaskIds is empty")
    return list(dict.fromkeys(named))


# Shared -------------------------------------------------------------------------------------

def _set_retries(ctx: AppContext, session: Session, task: ExternalTask, retries: int,
                 events: list[dict]) -> None:
    """Camunda's rule: retries reaching 0 raise a failedExternalTask incident; retries given
    back to a task that had none resolve it, and the task is announced to waiting fetches."""
    before, now = task.retries, ctx.now()
    task.retries = retries
    if retries == 0 and before != 0:
        message = task.error_message or "外部任务没有剩余重试次数 / the external task has no retries left"
        session.add(Incident(
            id=instance_store.new_id(), incident_type=INCIDENT_TYPE, instance_id=task.instance_id,
            definition_id=task.definition_id, process_key=task.process_key,
            activity_id=task.activity_id, job_id=task.id, message=message, created_at=now,
        ))
        events.append(history.event("incident_created", None, task.activity_id, task.id,
                                    external_task_id=task.id, error=message))
    elif retries > 0 and before == 0:
        session.execute(update(Incident).where(
            Incident.job_id == task.id, Incident.resolved_at.is_(None)).values(resolved_at=now))
        conn = connection_of(session)
        external_task_rows.announce(Immediate(conn), conn, {task.topic_name})
    history.append(session, task.instance_id, task.process_key, events, now)


def _held(session: Session, task_id: str, worker: str, verb_zh: str, subject_en: str,
          verb_en: str) -> ExternalTask:
    """The task, its rows taken, when `worker` holds its lock; else Camunda's refusal (400)."""
    task = _locked_row(session, task_id)
    if task.worker_id != worker:
        raise BadRequest(
            f"外部任务 {task_id} 由工作者 {task.worker_id or '（无）'} 锁定，工作者 {worker} 不能{verb_zh} / "
            f"{subject_en} {task_id} cannot be {verb_en} worker '{worker}'. "
            f"It is locked by worker '{task.worker_id}'.")
    return task


def _locked_row(session: Session, task_id: str) -> ExternalTask:
    """The task read afresh once its instance's row and then its own are this command's."""
    instance_id = session.scalar(select(ExternalTask.instance_id).where(ExternalTask.id == task_id))
    if instance_id is None:
        raise _not_found(task_id)
    instance_store.lock_instance(session, instance_id)
    task = session.scalars(select(ExternalTask).where(ExternalTask.id == task_id).with_for_update()
                           .execution_options(populate_existing=True)).first()
    if task is None:
        raise _not_found(task_id)
    return task


def _not_found(task_id: str) -> NotFound:
    return NotFound(f"外部任务 {task_id} 不存在 / External task with id {task_id} does not exist")


def _invalid(field: str, message: str) -> BadRequest:
    return BadRequest(f"字段 {field} 不正确：{message} / invalid {field}",
                      [{"field": field, "message": message.split(" / ")[0]}])
