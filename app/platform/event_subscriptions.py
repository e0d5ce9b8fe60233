"""Event subscriptions as Camunda lists them: what running executions wait for. A message
wait is a `message_subscription` row (its id the waiting execution's); a signal wait has no
row (see `signals`): it is the open activity of an event that catches the signal, and its
id is that activity's. Who reads one is who reads its instance, a confidential step's only
those who see the step."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.models import HistoricActivity, InstanceState, MessageSubscription, ProcessInstance

from app.core import confidential
from app.core.authorization import instance_visibility
from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.core.paging import Page
from app.platform import instance_store

EVENT_TYPES = ("message", "signal")
# Camunda's sortBy values -> the column of the rows they sort by.
SORTS = {"created": "created"}


@dataclass(frozen=True)
class SubscriptionFilter:
    id: str | None = None
    event_name: str | None = None
    event_type: str | None = None
    execution_id: str | None = None
    process_instance_id: str | None = None
    activity_id: str | None = None


@dataclass(frozen=True)
class Subscription:
    id: str
    event_type: str
    event_name: str
    instance_id: str
    activity_id: str | None
    created: object


def _messages(actor: Actor, wanted: SubscriptionFilter):
    query = select(
        MessageSubscription.id.label("id"), literal("message").label("event_type"),
        MessageSubscription.message_name.label("event_name"), MessageSubscription.instance_id.label("instance_id"),
        MessageSubscription.activity_id.label("activity_id"), MessageSubscription.created_at.label("created"),
    ).join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id).where(
        instance_visibility(actor),
        confidential.step_condition(actor, MessageSubscription.activity_id, null()),
    )
    return _narrowed(query, wanted, MessageSubscription.id, MessageSubscription.message_name,
                     MessageSubscription.instance_id, MessageSubscription.activity_id)


def _signals(ctx: AppContext, session: Session, actor: Actor, wanted: SubscriptionFilter) -> list:
    """One select per signal a running definition catches: its waiting events."""
    selects = []
    for name, definition_id, activity_ids in _signal_points(ctx, session):
        if wanted.event_name is not None and wanted.event_name != name:
            continue
        query = select(
            HistoricActivity.id.label("id"), literal("signal").label("event_type"), literal(name).label("event_name"),
            HistoricActivity.instance_id.label("instance_id"), HistoricActivity.activity_id.label("activity_id"),
            HistoricActivity.start_time.label("created"),
        ).join(ProcessInstance, ProcessInstance.id == HistoricActivity.instance_id).where(
            HistoricActivity.end_time.is_(None), ProcessInstance.state == InstanceState.ACTIVE,
            HistoricActivity.definition_id == definition_id, HistoricActivity.activity_id.in_(activity_ids),
            instance_visibility(actor),
            confidential.step_condition(actor, HistoricActivity.activity_id, HistoricActivity.assignee),
        )
        selects.append(_narrowed(query, wanted, HistoricActivity.id, None, HistoricActivity.instance_id,
                                 HistoricActivity.activity_id))
    return selects


def _signal_points(ctx: AppContext, session: Session) -> list[tuple[str, str, list[str]]]:
    running = select(ProcessInstance.definition_id).where(ProcessInstance.state == InstanceState.ACTIVE).distinct()
    points = []
    for definition_id in sorted(session.scalars(running)):
        definition = instance_store.definition_of(ctx, session, definition_id)
        for name, ids in sorted(ctx.engine.signal_catch_points(definition.id, definition.spec_json).items()):
            points.append((name, definition_id, sorted(ids)))
    return points


def _narrowed(query, wanted: SubscriptionFilter, id_column, name_column, instance_column, activity_column):
    if wanted.id is not None:
        query = query.where(id_column == wanted.id)
    if wanted.execution_id is not None:
        query = query.where(id_column == wanted.execution_id)
    if wanted.event_name is not None and name_column is not None:
        query = query.where(name_column == wanted.event_name)
    if wanted.process_instance_id is not None:
        query = query.where(instance_column == wanted.process_instance_id)
    if wanted.activity_id is not None:
        query = query.where(activity_column == wanted.activity_id)
    return query


def subscriptions_query(ctx: AppContext, session: Session, actor: Actor, wanted: SubscriptionFilter):
    if wanted.event_type is not None and wanted.event_type not in EVENT_TYPES:
        # Compensation and conditional events wait for nothing here: their lists are empty.
        raise BadRequest(f"eventType 应为 {' 或 '.join(EVENT_TYPES)} / eventType must be message or signal",
                         [{"field": "eventType", "message": f"应为 {' 或 '.join(EVENT_TYPES)}"}])
    messages = _messages(actor, wanted)
    if wanted.event_type == "signal":
        messages = messages.where(false())
    signals = _signals(ctx, session, actor, wanted) if wanted.event_type in (None, "signal") else []
    return union_all(messages, *signals) if signals else messages


def list_subscriptions(ctx: AppContext, session: Session, actor: Actor, wanted: SubscriptionFilter,
                       sort: tuple[str, bool], page: Page) -> list[Subscription]:
    query = subscriptions_query(ctx, session, actor, wanted)
    rows = query.subquery()
    column = rows.c[SORTS[sort[0]]]
    ordered = select(rows).order_by(column.desc() if sort[1] else column, rows.c.id)
    return [Subscription(*row) for row in session.execute(page.apply(ordered))]


def count_subscriptions(ctx: AppContext, session: Session, actor: Actor, wanted: SubscriptionFilter) -> int:
    query = subscriptions_query(ctx, session, actor, wanted)
    return session.scalar(select(func.count()).select_from(query.subquery()))
