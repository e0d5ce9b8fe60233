"""Each change of a variable (Camunda's historic variable updates, /history/detail): read from
the history events a command wrote with the values it changed.

A detail's id is `<event id>:<name>`. The instances are those `actor` may read; a
confidential variable, or a change made in a confidential step, only for those who read it.
Events written before the values were kept with them list the names alone and give no detail."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HistoryEvent, ProcessInstance

from app.core import confidential
from app.core.authorization import instance_visibility
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page


@dataclass(frozen=True)
class DetailFilter:
    instance_ids: tuple[str, ...] = ()
    task_id: str | None = None
    event_id: int | None = None
    descending: bool = False


@dataclass(frozen=True)
class VariableUpdate:
    event: HistoryEvent
    instance: ProcessInstance
    name: str
    value: object
    declared: object
    revision: int

    @property
    def id(self) -> str:
        return f"{self.event.id}:{self.name}"


def list_updates(session: Session, actor: Actor, f: DetailFilter, page: Page) -> list[VariableUpdate]:
    return page.of(_matching(session, actor, f))


def count_updates(session: Session, actor: Actor, f: DetailFilter) -> int:
    return len(_matching(session, actor, f))


def get_update(session: Session, actor: Actor, detail_id: str) -> VariableUpdate:
    event_id, _, name = detail_id.partition(":")
    instance_id = session.scalar(select(HistoryEvent.instance_id).where(
        HistoryEvent.id == int(event_id))) if event_id.isdigit() and len(event_id) < 19 else None
    found = [u for u in _matching(session, actor, DetailFilter(instance_ids=(instance_id,), event_id=int(event_id)))
             if u.name == name] if instance_id else []
    if not found:
        raise NotFound(f"历史明细 {detail_id} 不存在或无权查看 / historic detail {detail_id} not found")
    return found[0]


def _matching(session: Session, actor: Actor, f: DetailFilter) -> list[VariableUpdate]:
    found, revisions = [], {}
    for event, instance in session.execute(_events(actor, f)):
        if not confidential.sees_step(actor, event.activity_id, None):
            continue
        details = json.loads(event.details_json)
        values = confidential.visible_values(actor, details.get("variable_values") or {})
        types = details.get("variable_types") or {}
        for name in sorted(values):
            # The revision counts every change of the variable, also those filtered out below.
            revision = revisions[(instance.id, name)] = revisions.get((instance.id, name), 0) + 1
            if _wanted(f, event):
                found.append(VariableUpdate(event, instance, name, values[name], types.get(name), revision))
    return found[::-1] if f.descending else found


def _wanted(f: DetailFilter, event: HistoryEvent) -> bool:
    return (f.task_id is None or event.task_id == f.task_id) and (f.event_id is None or event.id == f.event_id)


def _events(actor: Actor, f: DetailFilter):
    query = (select(HistoryEvent, ProcessInstance)
             .join(ProcessInstance, ProcessInstance.id == HistoryEvent.instance_id)
             .where(instance_visibility(actor), HistoryEvent.details_json.contains('"variable_values"')))
    if f.instance_ids:
        query = query.where(HistoryEvent.instance_id.in_(f.instance_ids))
    return query.order_by(HistoryEvent.id)
