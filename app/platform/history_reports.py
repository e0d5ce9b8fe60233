"""Camunda's history reports over what the reader may see: how long completed instances
took, per month or quarter of their start (`/history/process-instance/report`); how long
completed tasks took, per period of their end, and how many were completed by name or by
process definition (`/history/task/report`). As in Camunda, a period is the month (1–12) or
quarter (1–4) of the year, every year's together; here by Beijing time."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import as_utc, to_shanghai
from app.core.authorization import instance_visibility
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.models import HistoricTask, InstanceState, ProcessDefinition, ProcessInstance

from . import history_queries
from . import query_criteria as qc
from .query_criteria import Query

_PI, _HT = ProcessInstance, HistoricTask
_PERIODS = {"month": lambda at: at.month, "quarter": lambda at: (at.month - 1) // 3 + 1}
_UNIT = qc.Choice({"month": None, "quarter": None})

INSTANCE_REPORT_CRITERIA: dict[str, qc.Criterion] = {
    "reportType": qc.Choice({"duration": None}), "periodUnit": _UNIT,
    "processDefinitionIdIn": qc.OneOf(_PI.definition_id), "processDefinitionKeyIn": qc.OneOf(_PI.process_key),
    "startedBefore": qc.Until(_PI.start_time), "startedAfter": qc.Since(_PI.start_time),
}
TASK_REPORT_CRITERIA: dict[str, qc.Criterion] = {
    "reportType": qc.Choice({"duration": None, "count": None}), "periodUnit": _UNIT,
    "groupBy": qc.Choice({"taskName": None, "processDefinition": None}),
    "completedBefore": qc.Until(_HT.end_time), "completedAfter": qc.Since(_HT.end_time),
}


def instance_durations(session: Session, actor: Actor, q: Query) -> list[dict]:
    _require(q, "reportType", "periodUnit")
    query = select(_PI.start_time, _PI.end_time).where(
        instance_visibility(actor), _PI.state == InstanceState.COMPLETED)
    query, parameters = qc.filtered(actor, query, INSTANCE_REPORT_CRITERIA, q)
    rows = session.execute(query, parameters).all()
    return _durations(((start, start, end) for start, end in rows), q.criteria["periodUnit"])


def task_report(session: Session, actor: Actor, q: Query) -> list[dict]:
    """The duration report (`periodUnit`) or the count report (`groupBy`), as asked."""
    _require(q, "reportType")
    if q.criteria["reportType"] == "duration":
        _require(q, "periodUnit")
        query, parameters = _finished_tasks(actor, q)
        rows = session.execute(query.with_only_columns(_HT.start_time, _HT.end_time), parameters).all()
        return _durations(((end, start, end) for start, end in rows), q.criteria["periodUnit"])
    _require(q, "groupBy")
    return _task_counts(session, actor, q)


def _task_counts(session: Session, actor: Actor, q: Query) -> list[dict]:
    by_name = q.criteria["groupBy"] == "taskName"
    query, parameters = _finished_tasks(actor, q)
    tasks = query.subquery()
    keys = (tasks.c.definition_id, tasks.c.process_key, *((tasks.c.name,) if by_name else ()))
    counted = (select(*keys, ProcessDefinition.name, func.count())
               .join(ProcessDefinition, ProcessDefinition.id == tasks.c.definition_id)
               .group_by(*keys, ProcessDefinition.name).order_by(*reversed(keys)))
    return [{"taskName": row[2] if by_name else None, "count": row[-1], "processDefinitionKey": row[1],
             "processDefinitionId": row[0], "processDefinitionName": row[-2]}
            for row in session.execute(counted, parameters)]


def _finished_tasks(actor: Actor, q: Query) -> tuple:
    query, parameters = history_queries.historic_tasks_query(actor, q, TASK_REPORT_CRITERIA)
    return query.where(_HT.end_time.is_not(None)), parameters


def _durations(rows, unit: str) -> list[dict]:
    """(when, start, end) rows: min, max and average milliseconds per period of `when`."""
    taken: dict[int, list[int]] = defaultdict(list)
    for when, start, end in rows:
        taken[_PERIODS[unit](to_shanghai(when))].append(_millis(start, end))
    return [{"period": period, "periodUnit": unit.upper(), "minimum": min(values), "maximum": max(values),
             "average": sum(values) // len(values)} for period, values in sorted(taken.items())]


def _millis(start: datetime, end: datetime) -> int:
    return int((as_utc(end) - as_utc(start)).total_seconds() * 1000)


def _require(q: Query, *names: str) -> None:
    for name in names:
        if name not in q.criteria:
            raise BadRequest(f"缺少参数 {name} / {name} is required", [{"field": name, "message": "必填"}])
