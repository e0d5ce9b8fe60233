"""Document numbers (新科发〔2026〕12号): one sequence per prefix and year, restarting at 1
with the year, without gaps (a rolled-back command gives its number back) and without
twins when two commands number at once, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

from app.tic import document_numbers
from tests.support.concurrency import run_together
from tests.support.documents import issued
from tests.support.establishment import approval, deploy_models, to_approval


def take(ctx, prefix: str, year: int) -> int:
    with ctx.db.command() as session:
        return document_numbers.take(session, prefix, year)


def test_the_sequence_runs_per_prefix_and_year_and_restarts_at_1_with_the_year(ctx):
    assert [take(ctx, "新科发", 2026) for _ in range(3)] == [1, 2, 3]
    assert take(ctx, "新科审", 2026) == 1
    assert take(ctx, "新科发", 2027) == 1
    assert take(ctx, "新科发", 2026) == 4
    assert document_numbers.formatted("新科发", 2026, 12) == "新科发〔2026〕12号"


def test_a_rolled_back_command_gives_its_number_back(ctx):
    assert take(ctx, "新科发", 2026) == 1
    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            assert document_numbers.take(session, "新科发", 2026) == 2
            raise RuntimeError("the command fails after numbering")
    assert take(ctx, "新科发", 2026) == 2


def test_two_commands_numbering_at_once_take_consecutive_numbers(ctx):
    """The first holds its transaction open after numbering; the second waits for it."""
    numbered = threading.Event()

    def slow():
        with ctx.db.command() as session:
            number = document_numbers.take(session, "新科发", 2026)
            numbered.set()
            time.sleep(0.5)
            return number

    def fast():
        numbered.wait(10)
        return take(ctx, "新科发", 2026)

    assert sorted(run_together(slow, fast)) == [1, 2]
    assert take(ctx, "新科发", 2026) == 3


def test_many_concurrent_numberings_are_gap_free_and_unique(ctx):
    numbers = run_together(*[lambda: take(ctx, "新科发", 2026)] * 6)
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]


def test_the_year_is_the_documents_day_in_xinjiangs_official_time(ctx, clock, rest):
    """16:30 UTC on 31 December is already 1 January in Asia/Shanghai: the next year's 1."""
    deploy_models(ctx)
    first = to_approval(rest, "SQ-2026-001")
    clock.freeze(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc))
    approval(rest("leader"), first, "reject", "建设基础尚不充分")
    second = to_approval(rest, "SQ-2026-002")
    clock.freeze(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    approval(rest("leader"), second, "approve", "同意组建")
    assert [d.number for d in issued(ctx, "approval_sheet")] == ["新科审〔2026〕1号", "新科审〔2027〕1号"]
    # The 公示 notice opens the year's 新科发 sequence; the reply follows when the 公示 ends.
    assert [d.number for d in issued(ctx, "publicity_notice")] == ["新科发〔2027〕1号"]
    assert [d.number for d in issued(ctx, "approval_reply")] == ["新科发〔2027〕2号"]
