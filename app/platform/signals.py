"""Broadcast a signal (Camunda's POST /signal) to the instances waiting for it.

A signal names no instance and carries no correlation: every running instance with an event
waiting for it catches it, whoever may read that instance, and none waiting is no error (as
in Camunda). Who may send one is `permissions.signal_refusal`. The waiting instances are
found without a subscription table: the events of each running definition that catch the
signal (from its parsed spec, cached with it), matched against the instances' open
activities. A suspended instance catches nothing, as with messages. `executionId` narrows
the broadcast to the one execution (an activity instance id) waiting there."""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from app.engine.errors import EngineError, NotWaitingForSignal
from app.models import HistoricActivity, InstanceState, ProcessInstance

from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.identity import Actor
from app.platform import instance_store, permissions
from app.platform.process_instances import advance


def send(ctx: AppContext, session: Session, actor: Actor, name, variables: dict, types: dict,
         execution_id=None) -> list[str]:
    """Deliver the signal; returns the ids of the instances that caught it."""
    _check(name, execution_id)
    permissions.enforce(permissions.signal_refusal(actor))
    waiting = select(HistoricActivity.instance_id).join(
        ProcessInstance, ProcessInstance.id == HistoricActivity.instance_id,
    ).where(waiting_condition(ctx, session, name), ProcessInstance.suspended.is_(False)).distinct()
    if execution_id is not None:
        waiting = waiting.where(HistoricActivity.id == execution_id)
    instance_ids = sorted(session.scalars(waiting))
    if execution_id is not None and not instance_ids:
        raise NotFound(f"执行 {execution_id} 没有等待信号 {name} / execution {execution_id} does not wait "
                       f"for signal {name}")
    return [i for i in instance_ids if _deliver(ctx, session, actor, i, name, variables, types)]


def waiting_condition(ctx: AppContext, session: Session, name: str):
    """A SQL condition on `historic_activity` (joined to its running instance): an open
    activity that is an event waiting for the signal."""
    points = []
    running = select(ProcessInstance.definition_id).where(ProcessInstance.state == InstanceState.ACTIVE).distinct()
    for definition_id in session.scalars(running):
        definition = instance_store.definition_of(ctx, session, definition_id)
        catching = ctx.engine.signal_catch_points(definition.id, definition.spec_json).get(name)
        if catching:
            points.append(and_(HistoricActivity.definition_id == definition_id,
                               HistoricActivity.activity_id.in_(sorted(catching))))
    return and_(HistoricActivity.end_time.is_(None), ProcessInstance.state == InstanceState.ACTIVE,
                or_(*points) if points else false())


def _deliver(ctx, session, actor: Actor, instance_id: str, name: str, variables: dict, types: dict) -> bool:
    """False when the instance stopped waiting before its turn: another command came first
    and ended it, suspended it or moved it on."""
    try:
        loaded = instance_store.load(ctx, session, instance_id)
    except Conflict:
        return False
    try:
        loaded.execution.deliver_signal(name, variables)
    except NotWaitingForSignal:
        return False
    except EngineError as error:
        raise BadRequest(str(error)) from error
    loaded.types.update(types)
    loaded.record("signal_received", actor.id, signal=name)
    advance(ctx, session, loaded, actor)
    return True


def _check(name, execution_id) -> None:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("name 不能为空 / the signal's name is required",
                         [{"field": "name", "message": "信号名称不能为空"}])
    if execution_id is not None and not isinstance(execution_id, str):
        raise BadRequest("executionId 应为文本 / executionId must be a string",
                         [{"field": "executionId", "message": "应为文本"}])
