"""Start, inspect and delete process instances."""
from __future__ import annotations

import json

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine.errors import EngineError
from app.prepared import Prepared
from app.models import (
    ExternalTask, HistoricActivity, HistoricTask, InstanceState, Job, MessageSubscription,
    ProcessDefinition, ProcessInstance, Task, TaskCandidate,
)

from app.core import audit, confidential
from app.core.authorization import require_can_start, require_readable_instance
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.identity import Actor
from app.platform import external_task_log, history, instance_store, job_log, permissions, service_tasks

MAX_BUSINESS_KEY = ProcessInstance.__table__.c.business_key.type.length
# Instances one deletion command deletes at most.
MAX_DELETED_AT_ONCE = 1000
MINT_ATTEMPTS = 10


def start_process(ctx: AppContext, session: Session, actor: Actor | None, key: str | None = None,
                  variables: dict | None = None, types: dict | None = None,
                  business_key: str | None = None, definition_id: str | None = None) -> ProcessInstance:
    """Start the latest version of `key` (or the definition `definition_id`); without a
    business key the instance gets the one the app's numbering scheme mints, if any."""
    _check_business_key(business_key)
    definition, suspended = _definition(ctx, session, key, definition_id)
    if business_key is None:
        business_key = _minted_key(ctx, session, definition.key)
    if actor is not None:
        require_can_start(actor, definition)
        variables = {**(variables or {}), **ctx.check_start(session, definition.key, variables or {}, ctx.now())}
    if suspended is None:
        raise NotFound(f"流程定义 {definition.id} 已随其部署删除 / process definition not found (its deployment "
                       "was deleted)")
    if suspended:
        raise BadRequest(f"流程定义 {definition.key} 已挂起 / the definition is suspended")
    try:
        execution = ctx.engine.start(definition.id, definition.spec_json, variables or {})
    except EngineError as error:
        raise BadRequest(str(error)) from error
    loaded = instance_store.create_row(ctx, definition, business_key, actor, execution, types or {})
    loaded.record("instance_started", actor.id if actor else None, business_key=business_key)
    advance(ctx, session, loaded, actor)
    return loaded.row


def _minted_key(ctx: AppContext, session: Session, process_key: str) -> str | None:
    """A key from the app's numbering scheme that no case of the process holds yet: the
    scheme draws at random, and a withdrawal finds its case by the key."""
    for _ in range(MINT_ATTEMPTS):
        candidate = ctx.mint_business_key(process_key, ctx.now())
        if candidate is None or not session.scalar(select(exists().where(
            ProcessInstance.process_key == process_key, ProcessInstance.business_key == candidate,
        ))):
            return candidate
    raise Conflict("未能生成不重复的业务编号，请重试 / could not mint an unused business key; try again")


def _check_business_key(business_key) -> None:
    if business_key is None:
        return
    if not isinstance(business_key, str) or len(business_key) > MAX_BUSINESS_KEY:
        raise BadRequest(f"业务键应为不超过 {MAX_BUSINESS_KEY} 个字符的文本 / businessKey must be text "
                         f"of at most {MAX_BUSINESS_KEY} characters",
                         [{"field": "businessKey", "message": f"业务键：应为不超过 {MAX_BUSINESS_KEY} 个字符的文本"}])


# Read afresh at each start: the definition held in memory (`definition_of`) is as it was
# deployed, and another process may have suspended it, or deleted it with its deployment,
# since.
_SUSPENDED = Prepared(
    select(ProcessDefinition.__table__.c.suspended)
    .where(ProcessDefinition.__table__.c.id == bindparam("id"))
)

_LATEST = Prepared(
    select(ProcessDefinition.__table__.c.id, ProcessDefinition.__table__.c.suspended)
    .where(ProcessDefinition.__table__.c.key == bindparam("key"))
    .order_by(ProcessDefinition.__table__.c.version.desc()).limit(1)
)


def _definition(ctx: AppContext, session: Session, key: str | None,
                definition_id: str | None) -> tuple[ProcessDefinition, bool | None]:
    """The definition to start, by id or the latest version of `key` (one indexed lookup),
    and whether it is suspended, read afresh (None: no such row any more)."""
    suspended = None
    if definition_id is None and key:
        latest = _LATEST.first(connection_of(session), {"key": key})
        definition_id, suspended = latest if latest else (None, None)
    if definition_id is None:
        raise NotFound(f"流程定义 {key or definition_id} 不存在 / process definition not found")
    definition = instance_store.definition_of(ctx, session, definition_id)
    if suspended is None:
        suspended = _SUSPENDED.scalar(connection_of(session), {"id": definition.id})
    return definition, suspended


def advance(ctx: AppContext, session: Session, loaded, actor: Actor | None) -> None:
    """Run service handlers the instance reached, then save it with its projections."""
    try:
        service_tasks.run_pending(ctx, session, loaded)
    except EngineError as error:
        raise BadRequest(str(error)) from error
    instance_store.save(ctx, session, loaded, actor.id if actor else None)


def get_instance(session: Session, actor: Actor, instance_id: str) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    return require_readable_instance(session, actor, instance, instance_id)


def visible_variables(actor: Actor, instance: ProcessInstance) -> tuple[dict, dict]:
    """A readable instance's variables and their types, as `actor` may read them (the
    confidential ones only for those who read them): what every face shows."""
    stored = json.loads(instance.variables_json)
    return confidential.visible_values(actor, stored.get("values", {})), stored.get("types", {})


def variables_of(session: Session, actor: Actor, instance_id: str) -> tuple[dict, dict]:
    return visible_variables(actor, get_instance(session, actor, instance_id))


def take_instance(session: Session, actor: Actor, instance_id: str) -> ProcessInstance:
    """The instance for a command that changes it: its row taken first (see
    `instance_store.load`) and read as the last command left it."""
    instance_store.lock_instance(session, instance_id)
    instance = session.get(ProcessInstance, instance_id, populate_existing=True)
    return require_readable_instance(session, actor, instance, instance_id)


def delete_instance(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                    reason: str | None = None) -> None:
    """Terminate a running instance (Camunda's DELETE); its history is kept. An instance
    that has ended is no longer a running one: 404, as Camunda answers."""
    instance = take_instance(session, actor, instance_id)
    details = {"processKey": instance.process_key, "businessKey": instance.business_key,
               "reason": reason}
    refusal = permissions.delete_refusal(actor, permissions.case_of(instance))
    if refusal is not None:
        audit.record_refusal(ctx, session, "instance.delete", user_id=actor.id, target=instance.id,
                             source=actor.source, details=details)
        raise refusal
    if not terminate(ctx, session, instance, reason or "deleted", actor.id):
        raise NotFound(f"流程实例 {instance_id} 已结束 / process instance not found (it has ended)")
    audit.record(ctx, session, "instance.delete", user_id=actor.id, target=instance.id,
                 source=actor.source, details=details)


def delete_instances(ctx: AppContext, session: Session, actor: Actor, instance_ids: list[str],
                     reason: str | None, fail_if_missing: bool = True) -> int:
    """Delete many running instances in one command (Camunda's batch deletion), each as
    `delete_instance` deletes one; one not running is a 400 naming it and none is deleted,
    or (not `fail_if_missing`) is passed over. Returns how many were deleted."""
    if not 0 < len(instance_ids) <= MAX_DELETED_AT_ONCE:
        raise BadRequest(f"应指定 1 到 {MAX_DELETED_AT_ONCE} 个运行中的流程实例 / name 1 to {MAX_DELETED_AT_ONCE} "
                         "running process instances",
                         [{"field": "processInstanceIds", "message": f"应指定 1 到 {MAX_DELETED_AT_ONCE} 个运行中的流程实例"}])
    deleted = 0
    for instance_id in instance_ids:
        try:
            delete_instance(ctx, session, actor, instance_id, reason)
            deleted += 1
        except NotFound as missing:
            if fail_if_missing:
                raise BadRequest(str(missing), [{"field": "processInstanceIds",
                                                 "message": str(missing).split(" / ")[0]}]) from missing
    return deleted


def terminate(ctx: AppContext, session: Session, instance: ProcessInstance, reason: str,
              user_id: str | None) -> bool:
    """End a running instance with its open tasks, jobs and subscriptions; False, writing
    nothing, when it had already ended (another command came first)."""
    instance_store.lock_instance(session, instance.id)
    session.refresh(instance)
    if instance.state != InstanceState.ACTIVE:
        return False
    now = ctx.now()
    instance.state = InstanceState.EXTERNALLY_TERMINATED
    instance.end_time = now
    instance.end_reason = reason
    open_tasks = select(Task.id).where(Task.instance_id == instance.id)
    session.execute(update(HistoricTask).where(
        HistoricTask.id.in_(open_tasks)).values(end_time=now, delete_reason=reason))
    session.execute(update(HistoricActivity).where(
        HistoricActivity.instance_id == instance.id, HistoricActivity.end_time.is_(None),
    ).values(end_time=now, canceled=True))
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(open_tasks)))
    session.execute(delete(Task).where(Task.instance_id == instance.id))
    job_log.deleted_with_instance(session, instance.id, now)
    session.execute(delete(Job).where(Job.instance_id == instance.id))
    external_task_log.deleted_with_instance(session, instance.id, now)
    session.execute(delete(ExternalTask).where(ExternalTask.instance_id == instance.id))
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance.id))
    history.append(session, instance.id, instance.process_key,
                   [history.event("instance_terminated", user_id, reason=reason)], now)
    session.flush()
    return True
