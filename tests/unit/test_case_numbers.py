"""The numbering scheme of the TIC cases, without a database: the prefix names the
procedure, the year is Asia/Shanghai's, six random hex digits make it unique."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from app.tic import case_numbers

HALF_PAST_MIDNIGHT_NEW_YEAR_IN_BEIJING = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)


def test_an_application_is_numbered_sq_with_the_year_in_beijing_time():
    number = case_numbers.mint("tic_establishment", HALF_PAST_MIDNIGHT_NEW_YEAR_IN_BEIJING)
    assert re.fullmatch(r"SQ-2027-[0-9A-F]{6}", number), number


def test_a_major_change_is_numbered_bg():
    number = case_numbers.mint("tic_major_change", datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc))
    assert re.fullmatch(r"BG-2026-[0-9A-F]{6}", number), number


def test_other_processes_are_not_numbered():
    assert case_numbers.mint("tic_annual_report", HALF_PAST_MIDNIGHT_NEW_YEAR_IN_BEIJING) is None
    assert case_numbers.mint("bench_three_step", HALF_PAST_MIDNIGHT_NEW_YEAR_IN_BEIJING) is None
