"""Camunda's historic activity statistics of one process definition: per activity, how many
activity instances run there now, have finished, were canceled, ended a scope, and the
incidents met there (`/history/process-definition/{id}/statistics`), over the instances the
reader may read. Where the cockpit's badges show what waits now, these show what has passed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from app.core import confidential
from app.core.context import AppContext
from app.core.identity import Actor
from app.models import HistoricActivity, Incident

from . import query_criteria as qc, statistics
from .queries import visible_instance_ids
from .query_criteria import Query

_HA = HistoricActivity
CRITERIA: dict[str, qc.Criterion] = {
    "startedBefore": qc.Until(_HA.start_time), "startedAfter": qc.Since(_HA.start_time),
    "finishedBefore": qc.Until(_HA.end_time), "finishedAfter": qc.Since(_HA.end_time),
    "processInstanceIdIn": qc.OneOf(_HA.instance_id),
}
# What the answer counts besides the running instances, each when asked for.
COUNTS = ("canceled", "finished", "completeScope", "incidents")
SORTS = {"activityId": _HA.activity_id}


@dataclass(frozen=True)
class PassedCounts:
    activity_id: str
    instances: int
    finished: int
    canceled: int
    complete_scope: int
    open_incidents: int = 0
    resolved_incidents: int = 0


def activity_statistics(ctx: AppContext, session: Session, actor: Actor, definition_id: str,
                        q: Query) -> list[PassedCounts]:
    """Per activity of the definition that any readable instance reached, in `q`'s order."""
    scope = statistics.definition_scope(ctx, session, actor, definition_id)
    query, parameters = qc.filtered(actor, _counts_query(actor, scope.definition.id), CRITERIA, q)
    rows = session.execute(qc.ordered(query, SORTS, q, _HA.activity_id), parameters).all()
    incidents = _incidents(session, actor, scope.definition.id)
    return [PassedCounts(*row, *incidents.get(row[0], (0, 0))) for row in rows]


def _counts_query(actor: Actor, definition_id: str):
    def number(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    steps = true() if confidential.sees_all(actor) else confidential.not_confidential(_HA.activity_id)
    return (select(_HA.activity_id, number(_HA.end_time.is_(None)), number(_HA.end_time.is_not(None)),
                   number(_HA.canceled.is_(True)),
                   number((_HA.activity_type == "endEvent") & _HA.end_time.is_not(None) & _HA.canceled.is_(False)))
            .where(_HA.definition_id == definition_id, _HA.instance_id.in_(visible_instance_ids(actor)), steps)
            .group_by(_HA.activity_id))


def _incidents(session: Session, actor: Actor, definition_id: str) -> dict[str, tuple[int, int]]:
    """Per activity, (open, resolved) incidents of the readable instances."""
    found = session.execute(
        select(Incident.activity_id, func.count().filter(Incident.resolved_at.is_(None)),
               func.count().filter(Incident.resolved_at.is_not(None)))
        .where(Incident.definition_id == definition_id, Incident.instance_id.in_(visible_instance_ids(actor)))
        .group_by(Incident.activity_id))
    return {activity_id: (open_count, resolved) for activity_id, open_count, resolved in found}
