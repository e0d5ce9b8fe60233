"""Executions as Camunda's runtime API shows them, read from the rows the engine's state is
projected into: each running instance is an execution (its id the instance's), and so is
each activity running in it (its id the activity instance's, as `/process-instance/{id}/
activity-instances` names it in `executionIds`). An activity waiting for a message is the
execution that holds the message's event subscription (the subscription's id is the
execution's). Who reads an execution is who reads its instance; a confidential step's
execution only for those who see the step. An activity waiting for a signal holds no
subscription row; it is found by the signal's catching events (`signals`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from app.models import HistoricActivity, MessageSubscription, ProcessInstance, Task

from app.core import confidential
from app.core.authorization import instance_visibility
from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.platform import messages, signals

# Camunda's sortBy values -> the column of the execution rows they sort by.
SORTS = {"instanceId": "instance_id", "definitionKey": "process_key", "definitionId": "definition_id"}


@dataclass(frozen=True)
class ExecutionFilter:
    process_instance_id: str | None = None
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id: str | None = None
    message_event_subscription_name: str | None = None
    signal_event_subscription_name: str | None = None
    suspended: bool | None = None


@dataclass(frozen=True)
class Execution:
    id: str
    instance_id: str


def _instances(actor: Actor, wanted: ExecutionFilter):
    """The running instances the executions may belong to."""
    condition = [ProcessInstance.end_time.is_(None), instance_visibility(actor)]
    if wanted.process_instance_id is not None:
        condition.append(ProcessInstance.id == wanted.process_instance_id)
    if wanted.business_key is not None:
        condition.append(ProcessInstance.business_key == wanted.business_key)
    if wanted.process_definition_id is not None:
        condition.append(ProcessInstance.definition_id == wanted.process_definition_id)
    if wanted.process_definition_key is not None:
        condition.append(ProcessInstance.process_key == wanted.process_definition_key)
    if wanted.suspended is not None:
        condition.append(ProcessInstance.suspended.is_(wanted.suspended))
    return condition


def executions_query(ctx: AppContext, session: Session, actor: Actor, wanted: ExecutionFilter):
    """One row per execution: (id, instance_id, definition_id, process_key)."""
    instance_columns = (ProcessInstance.id.label("instance_id"), ProcessInstance.definition_id.label("definition_id"),
                        ProcessInstance.process_key.label("process_key"))
    activities = select(HistoricActivity.id.label("id"), *instance_columns).join(
        ProcessInstance, ProcessInstance.id == HistoricActivity.instance_id,
    ).where(
        HistoricActivity.end_time.is_(None), *_instances(actor, wanted),
        confidential.step_condition(actor, HistoricActivity.activity_id, HistoricActivity.assignee),
    )
    if wanted.activity_id is not None:
        activities = activities.where(HistoricActivity.activity_id == wanted.activity_id)
    if wanted.message_event_subscription_name is not None:
        activities = activities.where(HistoricActivity.id.in_(select(MessageSubscription.id).where(
            MessageSubscription.message_name == wanted.message_event_subscription_name)))
    if wanted.signal_event_subscription_name is not None:
        activities = activities.where(signals.waiting_condition(ctx, session, wanted.signal_event_subscription_name))
    if any(v is not None for v in (wanted.activity_id, wanted.message_event_subscription_name,
                                    wanted.signal_event_subscription_name)):
        return activities
    roots = select(ProcessInstance.id.label("id"), *instance_columns).where(*_instances(actor, wanted))
    return union_all(roots, activities)


def list_executions(ctx: AppContext, session: Session, actor: Actor, wanted: ExecutionFilter,
                    sort: tuple[str, bool], page: Page) -> list[Execution]:
    rows = executions_query(ctx, session, actor, wanted).subquery()
    column = rows.c[SORTS[sort[0]]]
    query = select(rows.c.id, rows.c.instance_id).order_by(column.desc() if sort[1] else column, rows.c.id)
    return [Execution(*row) for row in session.execute(page.apply(query))]


def count_executions(ctx: AppContext, session: Session, actor: Actor, wanted: ExecutionFilter) -> int:
    query = executions_query(ctx, session, actor, wanted)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def get_execution(ctx: AppContext, session: Session, actor: Actor, execution_id: str) -> Execution:
    root = session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == execution_id, *_instances(actor, ExecutionFilter())))
    if root is not None:
        return Execution(root, root)
    rows = executions_query(ctx, session, actor, ExecutionFilter()).subquery()
    found = session.execute(select(rows.c.id, rows.c.instance_id).where(rows.c.id == execution_id)).first()
    if found is None:
        raise NotFound(f"执行 {execution_id} 不存在或无权查看 / execution {execution_id} not found")
    return Execution(*found)


def variable_scope(ctx: AppContext, session: Session, actor: Actor, execution_id: str) -> str:
    """What holds an execution's local variables: `instance` (the process's own execution:
    the process variables), `task` (a user task's execution: the task's local variables) or
    `activity` (any other activity, which keeps none here). NotFound as `get_execution`."""
    found = get_execution(ctx, session, actor, execution_id)
    if found.id == found.instance_id:
        return "instance"
    return "task" if session.get(Task, found.id) is not None else "activity"


def message_subscription(ctx: AppContext, session: Session, actor: Actor, execution_id: str,
                         message_name: str) -> MessageSubscription:
    """The execution's subscription to `message_name` (404 when it holds none)."""
    execution = get_execution(ctx, session, actor, execution_id)
    found = session.scalar(select(MessageSubscription).where(
        MessageSubscription.id == execution.id, MessageSubscription.instance_id == execution.instance_id,
        MessageSubscription.message_name == message_name))
    if found is None:
        raise NotFound(f"执行 {execution_id} 没有等待消息 {message_name} / execution {execution_id} "
                       f"holds no subscription to message {message_name}")
    return found


def trigger_message(ctx: AppContext, session: Session, actor: Actor, execution_id: str, message_name: str,
                    variables: dict, types: dict) -> None:
    """Deliver `message_name` to the execution waiting for it: a correlation to its instance,
    decided as POST /message decides it (who may send it, and to which instance), so a
    sender who may not read the instance (a service account) may still trigger it."""
    instance_id = session.scalar(select(MessageSubscription.instance_id).where(
        MessageSubscription.id == execution_id, MessageSubscription.message_name == message_name))
    if instance_id is None:
        raise NotFound(f"执行 {execution_id} 没有等待消息 {message_name} / execution {execution_id} "
                       f"holds no subscription to message {message_name}")
    messages.correlate(ctx, session, actor, message_name, process_instance_id=instance_id,
                       variables=variables, types=types)
