"""Correlate a message to the instances waiting for it (Camunda's POST /message).

A correlation is a write: who may send a message is the rule of the action it stands for
(the platform's 撤回 here; the cases hand theirs in on the context, `ctx.handlers.sender`),
and a message with no action of its own is sent by department staff who act.
Service accounts (machine clients) may send any message. The variable that records who
did it is set from the authenticated actor, after the message's own variables, so a
client can never put another name there.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.errors import EngineError, NotWaitingForMessage
from app.models import MessageSubscription, ProcessInstance

from app.core.authorization import can_read_instance, is_service, require_readable_instance
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound, ServiceError
from app.core.identity import Actor
from app.core.senders import Sender
from app.platform import instance_store, permissions
from app.platform.process_instances import advance, visible_variables

# The platform's 撤回: a diagram that models its own way out catches this message.
APPLICATION_WITHDRAWN = "ApplicationWithdrawn"
# Variables that say who did something: the platform's to set, never a client's.
ACTOR_VARIABLES = frozenset({"withdrawnBy", "lastReturnBy"})


class MismatchingMessage(BadRequest):
    error_type = "MismatchingMessageCorrelationException"


def _department_refusal(actor: Actor, _instance, _values) -> ServiceError | None:
    if permissions.acts_for_department(actor):
        return None
    return Forbidden("只有科技厅经办人员或服务账号可以发送该消息 / only department staff or a service "
                     "account may send this message")


WITHDRAWAL = Sender(
    lambda actor, instance, values: permissions.applicant_refusal(
        actor, permissions.case_of(instance, values)), "withdrawnBy")
DEPARTMENT_MESSAGE = Sender(_department_refusal)


def sender_of(ctx: AppContext, message_name: str) -> Sender:
    if message_name == APPLICATION_WITHDRAWN:
        return WITHDRAWAL
    return ctx.handlers.sender(message_name) or DEPARTMENT_MESSAGE


def correlate(ctx: AppContext, session: Session, actor: Actor | None, message_name: str,
              business_key: str | None = None, process_instance_id: str | None = None,
              variables: dict | None = None, types: dict | None = None,
              all_matching: bool = False) -> list[str]:
    """Deliver the message; returns the ids of the instances that caught it.

    `actor` None is the platform itself (a service task, a use case that checked its own rule)."""
    _check_fields(message_name, business_key, process_instance_id, all_matching)
    sender = sender_of(ctx, message_name)
    if actor is not None and process_instance_id is not None:
        _require_addressable(session, actor, sender, process_instance_id)
    instances = _waiting(session, message_name, business_key, process_instance_id)
    if actor is not None:
        instances = _addressed_by(session, actor, sender, instances)
    if not instances:
        raise MismatchingMessage(
            f"没有等待消息 {message_name} 的流程实例 / no instance waits for message {message_name}"
        )
    if len(instances) > 1 and not all_matching:
        raise MismatchingMessage(
            f"有 {len(instances)} 个流程实例在等待消息 {message_name}，请指定业务键 / "
            f"{len(instances)} instances match; give a business key or set all=true"
        )
    values = _recorded(sender, actor, variables or {})
    for instance in instances:
        _deliver(ctx, session, actor, instance.id, message_name, values, types or {})
    return [instance.id for instance in instances]


def _check_fields(message_name, business_key, process_instance_id, all_matching) -> None:
    errors = [
        {"field": field, "message": f"{field} 应为文本 / {field} must be a string"}
        for field, value in (("messageName", message_name), ("businessKey", business_key),
                             ("processInstanceId", process_instance_id))
        if value is not None and not isinstance(value, str)
    ]
    if not isinstance(all_matching, bool):
        errors.append({"field": "all", "message": "all 应为 true 或 false / all must be a boolean"})
    if errors:
        raise BadRequest("消息参数格式不正确 / invalid message fields", errors)
    if not message_name:
        raise BadRequest("messageName 不能为空 / messageName is required",
                         [{"field": "messageName", "message": "messageName 不能为空 / messageName is required"}])


def _require_addressable(session: Session, actor: Actor, sender: Sender, instance_id: str) -> None:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not (_may_send(actor, sender, instance)
                                or can_read_instance(session, actor, instance)):
        raise NotFound(f"流程实例 {instance_id} 不存在或无权查看 / process instance not found")


def _waiting(session: Session, message_name: str, business_key: str | None,
             process_instance_id: str | None) -> list[ProcessInstance]:
    waiting = select(MessageSubscription.instance_id).where(MessageSubscription.message_name == message_name)
    if business_key is not None:
        waiting = waiting.where(MessageSubscription.business_key == business_key)
    if process_instance_id is not None:
        waiting = waiting.where(MessageSubscription.instance_id == process_instance_id)
    # A suspended instance catches nothing, as Camunda skips suspended executions.
    return list(session.scalars(
        select(ProcessInstance).where(ProcessInstance.id.in_(waiting), ProcessInstance.suspended.is_(False))
        .order_by(ProcessInstance.id)
    ))


def _addressed_by(session: Session, actor: Actor, sender: Sender,
                  instances: list[ProcessInstance]) -> list[ProcessInstance]:
    """The instances `actor` may send the message to; refused where they can only read.

    An instance they neither may message nor read is left out, as if it did not wait: a
    guessable business key must not tell a user what they cannot see."""
    refusals = {i.id: _refusal(actor, sender, i) for i in instances}
    for instance in instances:
        if refusals[instance.id] is not None and can_read_instance(session, actor, instance):
            raise refusals[instance.id]
    return [i for i in instances if refusals[i.id] is None]


def _may_send(actor: Actor, sender: Sender, instance: ProcessInstance) -> bool:
    return _refusal(actor, sender, instance) is None


def _refusal(actor: Actor, sender: Sender, instance: ProcessInstance) -> ServiceError | None:
    if is_service(actor):
        return None
    return sender.refusal(actor, instance, json.loads(instance.variables_json).get("values", {}))


def _recorded(sender: Sender, actor: Actor | None, variables: dict) -> dict:
    """The message's variables, with who sent it in the sender's actor variable."""
    if actor is None:
        return variables
    values = {k: v for k, v in variables.items() if k not in ACTOR_VARIABLES}
    if sender.actor_variable:
        values[sender.actor_variable] = actor.id
    return values


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
    if message_name == APPLICATION_WITHDRAWN:
        # One event for every withdrawal, by the page, /api or a REST message alike: the
        # cockpit counts withdrawn cases by it.
        loaded.record("instance_withdrawn", actor.id if actor else None,
                      reason=variables.get("withdrawReason"))
    advance(ctx, session, loaded, actor)


def correlation_results(session: Session, actor: Actor, instance_ids: list[str],
                        with_variables: bool) -> list[tuple[ProcessInstance, tuple[dict, dict] | None]]:
    """What a correlation reached, read in the command that correlated: each instance and,
    when asked, its variables as `actor` may read them (an instance they may not read
    refuses the whole command, so nothing is delivered that cannot be answered)."""
    session.flush()
    results = []
    for instance_id in instance_ids:
        instance = session.get(ProcessInstance, instance_id, populate_existing=True)
        shown = None
        if with_variables:
            shown = visible_variables(actor, require_readable_instance(session, actor, instance, instance_id))
        results.append((instance, shown))
    return results
