"""Camunda's metrics, counted from what the history keeps rather than by counters of their
own: activities started and ended, process instances started, decisions evaluated, jobs
run and failed (the job log), and the users who completed tasks. So a figure is the same
whenever it is asked for, and a period before this feature counts as well.

Counts cover every instance (no names, no data: the cockpit's readers may see them). Names
Camunda has but nothing here measures (job acquisition, history cleanup, …) are refused by
name rather than answered 0."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import BigInteger, cast, extract, func, literal, select, true
from sqlalchemy.orm import Session

from app.core.errors import BadRequest
from app.core.identity import Actor
from app.models import HistoricActivity, HistoricDecisionInstance, HistoricTask, JobLogEntry, ProcessInstance

from .permissions import cockpit_refusal, enforce


@dataclass(frozen=True)
class Metric:
    """A metric counts rows of `time`'s table in a period, those where `where` holds."""

    time: object
    where: object = true()
    # Counts the different values of this column instead of rows.
    distinct: object = None


_STARTED = Metric(HistoricActivity.start_time)
_INSTANCES = Metric(ProcessInstance.start_time)
_DECISIONS = Metric(HistoricDecisionInstance.evaluation_time)
METRICS = {
    "activity-instance-start": _STARTED, "flow-node-instances": _STARTED,
    "activity-instance-end": Metric(HistoricActivity.end_time),
    "root-process-instance-start": _INSTANCES, "process-instances": _INSTANCES,
    "executed-decision-instances": _DECISIONS, "decision-instances": _DECISIONS,
    "job-successful": Metric(JobLogEntry.occurred_at, JobLogEntry.state == "successful"),
    "job-failed": Metric(JobLogEntry.occurred_at, JobLogEntry.state == "failed"),
    # The users who completed tasks in the period (Camunda's unique task workers).
    "task-users": Metric(HistoricTask.end_time, HistoricTask.completed_by.is_not(None), HistoricTask.completed_by),
}
# Camunda reports these only as a sum.
SUM_ONLY = frozenset({"task-users"})


@dataclass(frozen=True)
class Interval:
    """A metric's value in the interval starting at `start`."""

    start: datetime
    name: str
    value: int


def total(session: Session, actor: Actor, name: str, since: datetime | None, until: datetime | None) -> int:
    """The metric over [since, until) (either end open when None)."""
    enforce(cockpit_refusal(actor))
    metric = _metric(name)
    counted = func.count(metric.distinct.distinct()) if metric.distinct is not None else func.count()
    return session.scalar(select(counted).where(*_within(metric, since, until)))


def intervals(session: Session, actor: Actor, name: str | None, since: datetime | None, until: datetime | None,
              seconds: int) -> list[Interval]:
    """The metric (every one when `name` is None) per interval of `seconds`, newest first,
    the intervals where something was counted."""
    enforce(cockpit_refusal(actor))
    names = [_metric_name(name)] if name is not None else [n for n in METRICS if n not in SUM_ONLY]
    found = [found for n in names for found in _per_interval(session, n, since, until, seconds)]
    return sorted(found, key=lambda i: (i.start, i.name), reverse=True)


def _per_interval(session: Session, name: str, since, until, seconds: int) -> list[Interval]:
    metric = METRICS[name]
    bucket = (cast(extract("epoch", metric.time), BigInteger) // literal(seconds)) * literal(seconds)
    rows = session.execute(select(bucket.label("bucket"), func.count()).where(*_within(metric, since, until))
                           .group_by(bucket))
    return [Interval(datetime.fromtimestamp(int(start), timezone.utc), name, count) for start, count in rows]


def _within(metric: Metric, since, until) -> list:
    conditions = [metric.time.is_not(None), metric.where]
    if since is not None:
        conditions.append(metric.time >= since)
    if until is not None:
        conditions.append(metric.time < until)
    return conditions


def _metric(name: str) -> Metric:
    if name not in METRICS:
        raise _unknown(name, "metrics-name")
    return METRICS[name]


def _metric_name(name: str) -> str:
    if name not in METRICS or name in SUM_ONLY:
        raise _unknown(name, "name")
    return name


def _unknown(name: str, field: str) -> BadRequest:
    known = "、".join(sorted(METRICS))
    return BadRequest(f"不支持的指标 {name}（支持：{known}） / unsupported metric {name}",
                      [{"field": field, "message": f"不支持的指标 {name}"}])
