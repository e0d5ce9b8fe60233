"""Counting Chinese working days on a calendar of holidays and adjusted working days (调休)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.clock import SHANGHAI
from app.working_days import (
    MAX_WORKING_DAYS, WEEKENDS_ONLY, WorkingCalendar, add_working_days, subtract_working_days,
)

# A National Day week as the State Council sets it: 1–7 October off, Sunday 28 September
# and Saturday 11 October worked.
OCTOBER = WorkingCalendar(
    {**{date(2025, 10, d): False for d in range(1, 8)}, date(2025, 9, 28): True, date(2025, 10, 11): True},
    frozenset({2025}),
)


def at(y, m, d, hour=10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def test_a_holiday_is_skipped_and_an_adjusted_weekend_day_counts():
    # Tue 30 Sep + 1 → Wed 8 Oct (1–7 off); + 4 → Sat 11 Oct (worked).
    assert add_working_days(OCTOBER, at(2025, 9, 30), 1).at == at(2025, 10, 8)
    assert add_working_days(OCTOBER, at(2025, 9, 30), 4).at == at(2025, 10, 11)
    assert add_working_days(OCTOBER, at(2025, 9, 27), 1).at == at(2025, 9, 28)


def test_counting_back_mirrors_counting_forward():
    assert subtract_working_days(OCTOBER, at(2025, 10, 11), 4).at == at(2025, 9, 30)
    assert subtract_working_days(OCTOBER, at(2025, 10, 8), 1).at == at(2025, 9, 30)


def test_the_day_counts_in_shanghai_and_the_time_of_day_is_kept():
    # 17:00 UTC on Tuesday 30 Sep 2025 is 01:00 on Wednesday 1 Oct in Shanghai: the next
    # working day is Thursday 9 Oct there (the 8th is the first after the holiday, counted 1).
    start = datetime(2025, 9, 30, 17, 0, tzinfo=timezone.utc)
    due = add_working_days(OCTOBER, start, 2)
    assert due.at == datetime(2025, 10, 8, 17, 0, tzinfo=timezone.utc) and due.at.tzinfo == timezone.utc


def test_zero_days_is_the_start_itself_and_counts_beyond_the_bound_are_refused():
    assert add_working_days(WEEKENDS_ONLY, at(2025, 3, 1), 0).at == at(2025, 3, 1)
    with pytest.raises(ValueError):
        add_working_days(WEEKENDS_ONLY, at(2025, 3, 1), MAX_WORKING_DAYS + 1)
    assert add_working_days(WEEKENDS_ONLY, at(2025, 3, 3), MAX_WORKING_DAYS).at == at(2025, 3, 3) + timedelta(weeks=100)


def test_the_years_the_calendar_does_not_know_are_named():
    assert add_working_days(OCTOBER, at(2025, 12, 30), 5).weekends_only == (2026,)
    assert add_working_days(OCTOBER, at(2025, 10, 8), 5).weekends_only == ()
    assert subtract_working_days(OCTOBER, at(2025, 1, 2), 5).weekends_only == (2024,)
