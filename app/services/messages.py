"""Correlate a message to the instances waiting for it (Camunda's POST /message)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.errors import EngineError, NotWaitingForMessage
from app.models import MessageSubscription

from . import instance_store
from .context import AppContext
from .errors import BadRequest
from .identity import Actor
from .process_instances import advance
from .queries import visible_instance_ids


class MismatchingMessage(BadRequest):
    error_type = "MismatchingMessageCorrelationException"


def correlate(ctx: AppContext, session: Session, actor: Actor | None, message_name: str,
              business_key: str | None = None, process_instance_id: str | None = None,
              variables: dict | None = None, types: dict | None = None,
              all_matching: bool = False) -> list[str]:
    """Deliver the message; returns the ids of the instances that caught it."""
    if not message_name:
        raise BadRequest("messageName 不能为空 / messageName is required")
    query = select(MessageSubscription.instance_id).where(
        MessageSubscription.message_name == message_name
    )
    if business_key is not None:
        query = query.where(MessageSubscription.business_key == business_key)
    if process_instance_id is not None:
        query = query.where(MessageSubscription.instance_id == process_instance_id)
    if actor is not None:
        # A guessable business key must not let a user steer an instance they cannot see.
        query = query.where(MessageSubscription.instance_id.in_(visible_instance_ids(actor)))
    instance_ids = sorted(set(session.scalars(query)))
    if not instance_ids:
        raise MismatchingMessage(
            f"没有等待消息 {message_name} 的流程实例 / no instance waits for message {message_name}"
        )
    if len(instance_ids) > 1 and not all_matching:
        raise MismatchingMessage(
            f"有 {len(instance_ids)} 个流程实例在等待消息 {message_name}，请指定业务键 / "
            f"{len(instance_ids)} instances match; give a business key or set all=true"
        )
    for instance_id in instance_ids:
        _deliver(ctx, session, actor, instance_id, message_name, variables or {}, types or {})
    return instance_ids


def _deliver(ctx, session, actor, instance_id, message_name, variables, types) -> None:
    loaded = instance_store.load(ctx, session, instance_id)
    try:
        loaded.execution.deliver_message(message_name, variables)
    except NotWaitingForMessage as error:
        raise MismatchingMessage(f"流程实例未在等待消息 {message_name}") from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    loaded.types.update(types)
    loaded.record("message_received", actor.id if actor else None, message=message_name)
    advance(ctx, session, loaded, actor)
