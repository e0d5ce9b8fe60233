"""Chinese working days: a calendar of holidays and adjusted working days (调休), and the
arithmetic of "N working days after (or before) an instant" on it.

Pure: the platform reads the calendar from its table and hands it in. A day counts in
Asia/Shanghai, the offices' time: a working day is a weekday that is not a holiday, or a
weekend day the calendar makes a working day (调休). A year with no entry at all is not
known to the calendar: its weekends alone are days off, and the deadline says which years
it counted that way, so that whoever reads it knows it may fall on a holiday.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.clock import SHANGHAI

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)
# More than any deadline a procedure states (two years of working days): a bound on the work
# one computation may do.
MAX_WORKING_DAYS = 500


@dataclass(frozen=True)
class WorkingCalendar:
    """`days`: date -> True for an adjusted working day, False for a holiday; `years`: the
    years the calendar knows (those with at least one entry)."""

    days: Mapping[date, bool]
    years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        marked = self.days.get(day)
        if marked is not None:
            return marked
        return day.weekday() < 5


WEEKENDS_ONLY = WorkingCalendar({}, frozenset())


@dataclass(frozen=True)
class Deadline:
    """An instant counted in working days; `weekends_only`: the years on the way that the
    calendar did not know, counted by their weekends alone."""

    at: datetime
    weekends_only: tuple[int, ...] = ()


def add_working_days(calendar: WorkingCalendar, start: datetime, count: int) -> Deadline:
    """The same time of day `count` working days after `start`'s day (Asia/Shanghai)."""
    return _moved(calendar, start, count, 1)


def subtract_working_days(calendar: WorkingCalendar, end: datetime, count: int) -> Deadline:
    """The same time of day `count` working days before `end`'s day (Asia/Shanghai)."""
    return _moved(calendar, end, count, -1)


def years_between(first: datetime, last: datetime) -> range:
    """The calendar years (Asia/Shanghai) from `first` to `last`, in either order."""
    years = sorted((first.astimezone(SHANGHAI).year, last.astimezone(SHANGHAI).year))
    return range(years[0], years[1] + 1)


def _moved(calendar: WorkingCalendar, instant: datetime, count: int, step: int) -> Deadline:
    if not 0 <= count <= MAX_WORKING_DAYS:
        raise ValueError(f"working days must run from 0 to {MAX_WORKING_DAYS}, not {count}")
    local = instant.astimezone(SHANGHAI)
    day = local.date()
    left = count
    while left:
        day += timedelta(days=step)
        left -= calendar.is_working_day(day)
    moved = datetime.combine(day, local.timetz()).astimezone(instant.tzinfo)
    unknown = tuple(y for y in years_between(instant, moved) if y not in calendar.years)
    return Deadline(moved, unknown)
