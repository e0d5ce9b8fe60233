"""Timer expressions: one reading of ISO 8601 at deploy and at run time, bounded.

A timer must never keep a request or an executor pass busy. So every instant is computed
in constant time (SpiffWorkflow adds a duration's months one by one: `P99999999Y` spun a
worker), an instant must fall before the year 10000, a cycle repeats no more often than
the minimum interval (`TIMER_MIN_CYCLE_SECONDS`), and a cycle fires one occurrence at a
time: missed occurrences are skipped, the next one is the first still to come. Literals
are checked at deploy (`check_literal`); values of `${…}` expressions when the timer is
armed, where a refusal is an engine error naming the element.

SpiffWorkflow's timer event definitions compute through this module (`_install`): the
rule then also holds for definitions deployed before it.
"""
from __future__ import annotations

import re
from calendar import monthrange
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition,
    TimerEventDefinition,
)

from .engine_clock import engine_now
from .errors import ScriptRefused

DEFAULT_MIN_CYCLE = timedelta(minutes=1)

_CYCLE = re.compile(r"^R(?P<count>\d*)/(?P<rest>.+)$")
_LONG_YEAR = re.compile(r"^[+-]?\d{5,}-")
_min_cycle: ContextVar[timedelta] = ContextVar("timer_min_cycle", default=DEFAULT_MIN_CYCLE)


class TimerRefused(ScriptRefused):
    """A timer expression this engine does not run."""


@dataclass(frozen=True)
class Cycle:
    count: int  # -1: unbounded
    first: datetime
    period: timedelta


@contextmanager
def timer_rules(min_cycle: timedelta):
    """Arm timers under the app's minimum cycle interval."""
    token = _min_cycle.set(min_cycle)
    try:
        yield
    finally:
        _min_cycle.reset(token)


def check_literal(kind: str, text: str, min_cycle: timedelta) -> None:
    """Raise TimerRefused unless the literal `text` of a `kind` timer can run."""
    now = engine_now()
    if kind == "timeDate":
        due_date(text)
    elif kind == "timeDuration":
        due_after(text, now)
    else:
        read_cycle(text, now, min_cycle)


def due_date(text: str, shown: str | None = None) -> datetime:
    """The instant of a timeDate (a zone-less date is read as SpiffWorkflow does);
    `shown` is the whole expression `text` is part of, for messages."""
    shown = shown or text
    if _LONG_YEAR.match(text.strip()):
        raise _unrepresentable(shown)
    try:
        parsed = TimerEventDefinition.parse_time_or_duration(text)
    except OverflowError:
        raise _unrepresentable(shown) from None
    except (ValueError, TypeError, AttributeError):
        raise _not_iso(shown) from None
    if not isinstance(parsed, datetime):
        raise _not_iso(shown)
    return parsed


def due_after(text: str, start: datetime) -> datetime:
    """The instant a timeDuration after `start` ends."""
    return _shifted(text, start, backwards=False, shown=text)


def read_cycle(text: str, now: datetime, min_cycle: timedelta) -> Cycle:
    """A timeCycle `R[n]/duration`, `R[n]/start/duration` or `R[n]/duration/end`.

    A start in the past is moved to its first occurrence still to come.
    """
    match = _CYCLE.match(text.strip().upper())
    parts = match.group("rest").split("/") if match else []
    if not 1 <= len(parts) <= 2:
        raise _not_iso(text)
    if len(parts) == 1:
        first = _shifted(parts[0], now, backwards=False, shown=text)
        period = first - now
    elif parts[0].startswith("P"):
        end = due_date(parts[1], text)
        first = _shifted(parts[0], end, backwards=True, shown=text)
        period = end - first
    else:
        first = due_date(parts[0], text)
        period = _shifted(parts[1], first, backwards=False, shown=text) - first
    if period < max(min_cycle, timedelta.resolution):
        raise _too_often(text, period, min_cycle)
    count = int(match.group("count")) if match.group("count") else -1
    return Cycle(count, first if first >= now else next_occurrence(first, period, now), period)


def next_occurrence(previous: datetime, period: timedelta, now: datetime) -> datetime:
    """The first `previous + k·period` (k ≥ 1) after `now`: missed occurrences are skipped."""
    if period <= timedelta(0):
        raise TimerRefused("定时器周期的间隔必须大于零", "A timer cycle's interval must be positive")
    steps = max((now - previous) // period + 1, 1)
    try:
        return previous + steps * period
    except OverflowError:
        raise _unrepresentable(previous.isoformat()) from None


def _shifted(text: str, start: datetime, backwards: bool, shown: str) -> datetime:
    """`start` moved by the duration `text`, as SpiffWorkflow reads years and months (the
    days of the calendar months crossed), computed at once instead of month by month."""
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text) if text.upper().startswith("P") else None
    except Exception:  # SpiffWorkflow's parser raises a bare Exception for a bad duration
        parsed = None
    if not parsed:
        raise _not_iso(shown)
    try:
        months = parsed.pop("years", 0) * 12 + parsed.pop("months", 0)
        whole = int(months)
        if whole > 12 * date.max.year:
            raise OverflowError(shown)
        year, month = divmod(start.month - 1 + (-whole if backwards else whole), 12)
        there = date(start.year + year, month + 1, 1)
        days = parsed.pop("days", 0) + abs((there - date(start.year, start.month, 1)).days)
        days += (months - whole) * monthrange(there.year, there.month)[1]
        length = timedelta(days=days, **parsed)
        return start - length if backwards else start + length
    except (OverflowError, ValueError):
        raise _unrepresentable(shown) from None


def _not_iso(text: str) -> TimerRefused:
    return TimerRefused(
        f"定时器表达式“{text}”不是有效的 ISO 8601 时间（例如 2026-04-01T09:00:00、P30D 或 R/PT1H）",
        f'The timer expression "{text}" is not valid ISO 8601 (e.g. 2026-04-01T09:00:00, P30D or R/PT1H)',
    )


def _unrepresentable(text: str) -> TimerRefused:
    return TimerRefused(
        f"定时器时间“{text}”超出可表示的范围（必须早于 10000 年）",
        f'The timer time "{text}" cannot be represented (it must fall before the year 10000)',
    )


def _too_often(text: str, period: timedelta, min_cycle: timedelta) -> TimerRefused:
    seconds, minimum = f"{period.total_seconds():g}", f"{min_cycle.total_seconds():g}"
    return TimerRefused(
        f"定时器周期“{text}”每 {seconds} 秒重复一次，短于允许的最小间隔 {minimum} 秒（TIMER_MIN_CYCLE_SECONDS）",
        f'The timer cycle "{text}" repeats every {seconds} s, more often than the minimum '
        f"interval of {minimum} s (TIMER_MIN_CYCLE_SECONDS)",
    )


# ------------------------------------------------------------ inside SpiffWorkflow


def _evaluated(definition: TimerEventDefinition, my_task) -> str:
    value = my_task.workflow.script_engine.evaluate(my_task, definition.expression)
    if not isinstance(value, str):
        raise _refused(my_task, TimerRefused(
            f"定时器表达式的值必须是 ISO 8601 文本，而不是 {type(value).__name__}",
            f"A timer expression must yield ISO 8601 text, not {type(value).__name__}",
        ))
    return value


def _refused(my_task, refusal: TimerRefused) -> WorkflowTaskException:
    return WorkflowTaskException(str(refusal), task=my_task, exception=refusal)


def _armed(my_task, compute):
    try:
        return compute()
    except TimerRefused as refusal:
        raise _refused(my_task, refusal) from refusal


def _date_has_fired(self, my_task) -> bool:
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        text = _evaluated(self, my_task)
        _armed(my_task, lambda: due_date(text))
        event_value = text
        my_task._set_internal_data(event_value=event_value)
    if TimerEventDefinition.parse_time_or_duration(event_value) < engine_now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def _duration_has_fired(self, my_task) -> bool:
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        text = _evaluated(self, my_task)
        event_value = _armed(my_task, lambda: due_after(text, engine_now())).isoformat()
        my_task._set_internal_data(event_value=event_value)
    if TimerEventDefinition.get_datetime(event_value) < engine_now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def _cycle_complete(self, my_task) -> bool:
    """SpiffWorkflow's cycle bookkeeping (same `event_value`), one occurrence per call."""
    event_value = my_task._get_internal_data("event_value")
    now = engine_now()
    if event_value is None:
        text = _evaluated(self, my_task)
        cycle = _armed(my_task, lambda: read_cycle(text, now, _min_cycle.get()))
        event_value = {"cycles": cycle.count, "next": cycle.first.isoformat(),
                       "duration": cycle.period.total_seconds()}
    ready = False
    if event_value["cycles"] != 0:
        due = datetime.fromisoformat(event_value["next"])
        if due < now:
            period = timedelta(seconds=event_value["duration"])
            event_value["next"] = _armed(my_task, lambda: next_occurrence(due, period, now)).isoformat()
            event_value["cycles"] -= 1
            ready = True
    else:
        my_task.internal_data.pop("event_value", None)
        my_task.internal_data["event_fired"] = True
    my_task._set_internal_data(event_value=event_value)
    return ready


def _install() -> None:
    TimeDateEventDefinition.has_fired = _date_has_fired
    DurationTimerEventDefinition.has_fired = _duration_has_fired
    CycleTimerEventDefinition.cycle_complete = _cycle_complete


_install()
