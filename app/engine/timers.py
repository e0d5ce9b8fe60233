"""Timer expressions: one reading of ISO 8601 at deploy and at run time, bounded.

A timer must never keep a request or an executor pass busy. So every instant is computed
in constant time (SpiffWorkflow adds a duration's months one by one: `P99999999Y` spun a
worker), an instant must fall before the year 10000, a cycle repeats no more often than
the minimum interval (`TIMER_MIN_CYCLE_SECONDS`), and a cycle fires one occurrence at a
time: missed occurrences are skipped, the next one is the first still to come. A cycle is
ISO 8601 (`R/PT1H`) or, as Camunda 7 accepts, a Quartz cron expression (`0 0 9 ? * MON-FRI`,
6 or 7 fields, read in Asia/Shanghai like zone-less dates); a cron's shortest gap between
two firings is held to the same minimum. Literals
are checked at deploy (`check_literal`); values of `${…}` expressions when the timer is
armed, where a refusal is an engine error naming the element.

SpiffWorkflow's timer event definitions compute through this module (`_install`): the
rule then also holds for definitions deployed before it.

A duration or date (and a user task's `camunda:dueDate`) may be counted in Chinese working
days, `${workdays(5)}`: a whole number from 1 to `MAX_WORKDAYS`, checked at deploy
(`check_workdays`). The engine does not know the holidays: the platform hands it a function
that counts on its calendar (`workdays_helper`), and the instant it yields says whether the
count went through a year the calendar does not know (weekends only).
"""
from __future__ import annotations

import re
from calendar import monthrange
from contextlib import contextmanager
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from croniter.croniter import CroniterError
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition,
    TimerEventDefinition,
)

from .engine_clock import engine_now
from .expressions import CRON
from .errors import ScriptRefused

DEFAULT_MIN_CYCLE = timedelta(minutes=1)
# Two years of working days: more than any procedure's deadline.
MAX_WORKDAYS = 500
WORKDAY_KINDS = ("timeDuration", "timeDate", "dueDate")

_WORKDAYS = re.compile(r"\bworkdays\b")
_WORKDAYS_CALL = re.compile(r"^\$\{\s*workdays\(\s*(?P<count>[^()]*?)\s*\)\s*\}$")

_CYCLE = re.compile(r"^R(?P<count>\d*)/(?P<rest>.+)$")
_LONG_YEAR = re.compile(r"^[+-]?\d{5,}-")
_CRON_ZONE = ZoneInfo("Asia/Shanghai")
_QUARTZ_WEEKDAY = re.compile(r"(?<![#/\d])(\d+)")
_DAY_SECONDS = 86400
_min_cycle: ContextVar[timedelta] = ContextVar("timer_min_cycle", default=DEFAULT_MIN_CYCLE)


class TimerRefused(ScriptRefused):
    """A timer expression this engine does not run."""


@dataclass(frozen=True)
class Cycle:
    count: int  # -1: unbounded
    first: datetime
    period: timedelta  # for a cron, its shortest gap between two firings
    cron: str | None = None  # the cron expression as croniter reads it; None for ISO 8601


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


class WorkdayDue(str):
    """What `workdays(n)` yields: the ISO 8601 text of the instant, as any timeDate, with
    the instant itself and whether it counted some year by its weekends only."""

    at: datetime
    weekends_only: bool

    def __new__(cls, at: datetime, weekends_only: bool) -> WorkdayDue:
        text = super().__new__(cls, at.isoformat())
        text.at, text.weekends_only = at, weekends_only
        return text


def uses_workdays(text: str | None) -> bool:
    return bool(text) and bool(_WORKDAYS.search(text))


def check_workdays(kind: str, text: str) -> None:
    """Raise TimerRefused unless `text` is `${workdays(n)}` with n a whole number from 1 to
    MAX_WORKDAYS, where a `kind` of value may be counted in working days."""
    if kind not in WORKDAY_KINDS:
        raise _workdays_refused(text, "只能用于定时时长（timeDuration）、定时日期（timeDate）或任务期限（dueDate），不能用于循环定时",
                                "fits a timer duration, a timer date or a due date only, never a cycle")
    match = _WORKDAYS_CALL.match(text.strip())
    if match is None:
        raise _workdays_refused(text, "必须单独写成 ${workdays(n)}", "must be written on its own as ${workdays(n)}")
    count = match.group("count")
    if not (count.isascii() and count.isdigit() and 1 <= int(count) <= MAX_WORKDAYS):
        raise _workdays_refused(text, f"工作日数“{count}”必须是 1 到 {MAX_WORKDAYS} 之间的整数",
                                f'the number of working days "{count}" must be a whole number from 1 to {MAX_WORKDAYS}')


def workdays_helper(count: Callable, now: Callable[[], datetime]) -> Callable[[int], WorkdayDue]:
    """`workdays(n)` for expressions: n working days after now, as `count(start, n)` (the
    platform's calendar) finds it; `count` answers with `.at` and `.weekends_only`."""
    def workdays(days) -> WorkdayDue:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WORKDAYS:
            raise TimerRefused(f"workdays 的工作日数必须是 1 到 {MAX_WORKDAYS} 之间的整数",
                               f"workdays takes a whole number of working days from 1 to {MAX_WORKDAYS}")
        deadline = count(now(), days)
        return WorkdayDue(deadline.at, bool(deadline.weekends_only))

    return workdays


def _workdays_refused(text: str, why_zh: str, why_en: str) -> TimerRefused:
    return TimerRefused(f"工作日期限“{text}”{why_zh}（例如 ${{workdays(5)}}）",
                        f'The working-day deadline "{text}" {why_en} (e.g. ${{workdays(5)}})')


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
    """A timeCycle `R[n]/duration`, `R[n]/start/duration`, `R[n]/duration/end` or a Quartz
    cron expression.

    A start in the past is moved to its first occurrence still to come.
    """
    if CRON.match(text):
        return _read_cron(text, now, min_cycle)
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


def _read_cron(text: str, now: datetime, min_cycle: timedelta) -> Cycle:
    expression = quartz_to_croniter(text)
    gap = timedelta(seconds=_shortest_gap(croniter(expression, second_at_beginning=True)))
    if gap < max(min_cycle, timedelta.resolution):
        raise _too_often(text, gap, min_cycle)
    first = next_firing(expression, now)
    if first is None:
        raise _cron_refused(text, "此后不再触发", "it fires no more")
    return Cycle(-1, first, gap, expression)


def quartz_to_croniter(text: str) -> str:
    """A Quartz cron expression (seconds first, `?`, weekdays 1 = SUN … 7 = SAT, an optional
    year) as croniter reads it (weekdays 0 = SUN … 6 = SAT); refused when croniter would not
    run it as Quartz does."""
    fields = text.split()
    if len(fields) not in (6, 7):
        raise _cron_refused(text, "Quartz cron 需要 6 或 7 个字段（秒 分 时 日 月 周 [年]）",
                            "Quartz cron takes 6 or 7 fields (seconds minutes hours day month weekday [year])")
    day, weekday = fields[3], fields[5]
    if (day == "?") == (weekday == "?"):
        raise _cron_refused(text, "日和周两个字段必须恰好有一个是 ?",
                            "exactly one of the day-of-month and day-of-week fields must be ?")
    if "W" in day.upper() or "L" in weekday.upper():
        # croniter drops W (nearest weekday) silently and has no weekday L: it would fire
        # on other days than Camunda does.
        raise _cron_refused(text, "不支持 W（最近工作日）和周字段中的 L", "W (nearest weekday) and L in the weekday field are not supported")
    if weekday != "?":
        fields[5] = _QUARTZ_WEEKDAY.sub(lambda m: _croniter_weekday(text, m.group(1)), weekday)
    expression = " ".join(fields)
    try:
        croniter(expression, second_at_beginning=True)
    except (CroniterError, ValueError, KeyError) as error:
        raise _cron_refused(text, f"无法解析（{error}）", f"it cannot be read ({error})") from None
    return expression


def _croniter_weekday(text: str, number: str) -> str:
    if not 1 <= int(number) <= 7:
        raise _cron_refused(text, "周字段的数字必须在 1（周日）到 7（周六）之间",
                            "weekday numbers run from 1 (Sunday) to 7 (Saturday)")
    return str(int(number) - 1)


def _shortest_gap(cron: croniter) -> int:
    """Seconds between the two closest firings, found from the times of day alone: which
    days fire only spreads firings further apart (next day's first firing is the closest
    a day's last one can have)."""
    minutes, hours, seconds = cron.expanded[0], cron.expanded[1], cron.expanded[5]
    times = sorted(
        hour * 3600 + minute * 60 + second
        for hour in _values(hours, 24) for minute in _values(minutes, 60) for second in _values(seconds, 60)
    )
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    return min([*gaps, _DAY_SECONDS - times[-1] + times[0]])


def _values(expanded: list, size: int) -> list[int]:
    return list(range(size)) if expanded == ["*"] else [int(value) for value in expanded]


def next_firing(expression: str, after: datetime) -> datetime | None:
    """The cron's first firing after `after` (read in Asia/Shanghai); None when its year
    field has passed."""
    local = after.astimezone(_CRON_ZONE)
    try:
        return croniter(expression, local, second_at_beginning=True).get_next(datetime).astimezone(after.tzinfo)
    except (CroniterError, OverflowError, ValueError):
        return None


def _cron_refused(text: str, why_zh: str, why_en: str) -> TimerRefused:
    return TimerRefused(
        f"cron 定时表达式“{text}”：{why_zh}（例如 0 0 9 ? * MON-FRI，或 ISO 8601 的 R/PT1H）",
        f'Cron timer expression "{text}": {why_en} (e.g. 0 0 9 ? * MON-FRI, or ISO 8601 such as R/PT1H)',
    )


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
    return _armed(my_task, lambda: _text(value))


def _text(value) -> str:
    if not isinstance(value, str):
        raise TimerRefused(f"定时器表达式的值必须是 ISO 8601 文本，而不是 {type(value).__name__}",
                           f"A timer expression must yield ISO 8601 text, not {type(value).__name__}")
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
        event_value = str(text)
        my_task._set_internal_data(event_value=event_value)
    if TimerEventDefinition.parse_time_or_duration(event_value) < engine_now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def _duration_has_fired(self, my_task) -> bool:
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        text = _evaluated(self, my_task)
        due = text.at if isinstance(text, WorkdayDue) else _armed(my_task, lambda: due_after(text, engine_now()))
        event_value = due.isoformat()
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
        if cycle.cron:
            event_value["cron"] = cycle.cron
    ready = False
    if event_value["cycles"] != 0:
        due = datetime.fromisoformat(event_value["next"])
        if due < now:
            following = _armed(my_task, lambda: _following(event_value, due, now))
            # A cron whose year field has passed fires this once more and ends.
            event_value["next"] = following.isoformat() if following else event_value["next"]
            event_value["cycles"] = event_value["cycles"] - 1 if following else 0
            ready = True
    else:
        my_task.internal_data.pop("event_value", None)
        my_task.internal_data["event_fired"] = True
    my_task._set_internal_data(event_value=event_value)
    return ready


def armed_at(definition: TimerEventDefinition, text: str, base: datetime, min_cycle: timedelta) -> datetime:
    """The due instant of a timer whose expression gave `text`, armed at `base`: a date as
    it names, a duration after `base`, a cycle's first occurrence after `base`."""
    text = _text(text)
    if isinstance(text, WorkdayDue):
        return text.at
    if isinstance(definition, CycleTimerEventDefinition):
        return read_cycle(text, base, min_cycle).first
    if isinstance(definition, DurationTimerEventDefinition):
        return due_after(text, base)
    return due_date(text)


def _following(event_value: dict, due: datetime, now: datetime) -> datetime | None:
    """The occurrence after the one that fires now: a cron's next firing after now, or the
    period's next step (missed occurrences skipped either way)."""
    if event_value.get("cron"):
        return next_firing(event_value["cron"], max(due, now))
    return next_occurrence(due, timedelta(seconds=event_value["duration"]), now)


def _install() -> None:
    TimeDateEventDefinition.has_fired = _date_has_fired
    DurationTimerEventDefinition.has_fired = _duration_has_fired
    CycleTimerEventDefinition.cycle_complete = _cycle_complete


_install()
