"""Working-day deadlines on the pages: the inbox's due and overdue badges and the
weekends-only flag, the task page, and the cockpit's overdue tasks by step and its warning
to administrators of a missing next year."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.clock import SHANGHAI
from app.platform import deadline_ladder
from app.platform.process_instances import start_process
from tests.support.services import as_user, deploy_fixtures, open_tasks
from tests.support.web import text


def at(y, m, d, hour=10, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def started(ctx, when: datetime) -> str:
    ctx.clock.freeze(when)
    deploy_fixtures(ctx, "wd_deadlines.bpmn", "tl_application.schema.json", "tl_decision.schema.json")
    return as_user(ctx, "cotton", start_process, key="wd_deadlines", variables={"applicantOrg": "tianmian"}).id


def test_the_inbox_marks_a_task_due_soon_then_overdue(ctx, web):
    started(ctx, at(2026, 2, 12))
    # A fresh sign-in at each time: a session does not outlive two weeks of the clock.
    assert "data-testid=\"due-soon\"" not in text(web("cotton").get("/tasks?box=todo"))
    ctx.clock.freeze(at(2026, 2, 25, 12))
    assert "即将到期" in text(web("cotton").get("/tasks?box=todo"))
    ctx.clock.freeze(at(2026, 2, 26, 10, 1))
    page = text(web("cotton").get("/tasks?box=todo"))
    assert "已逾期" in page and "即将到期" not in page and "仅按周末计算" not in page


def test_a_deadline_through_an_unknown_year_says_it_counts_weekends_only(ctx, web):
    instance_id = started(ctx, at(2027, 2, 4))
    cotton = web("cotton")
    assert "仅按周末计算" in text(cotton.get("/tasks?box=todo"))
    fill = open_tasks(ctx, instance_id)["fill"]
    assert "仅按周末计算" in text(cotton.get(f"/tasks/{fill.id}"))
    cockpit = text(web("officer").get("/cockpit/wd_deadlines?activity=fill"))
    assert "仅按周末计算" in cockpit


def test_the_cockpit_counts_overdue_tasks_by_step_and_the_escalated_among_them(ctx, web):
    started(ctx, at(2026, 2, 12))
    ctx.clock.freeze(at(2026, 3, 2, 10))
    deadline_ladder.run_due_rungs(ctx)
    page = text(web("officer").get("/cockpit"))
    row = page[page.index('data-step="wd_deadlines/fill"'):]
    assert '<td class="num alert" data-count="overdue">1</td>' in row[:600]
    assert '<td class="num" data-count="escalated">1</td>' in row[:600]


@pytest.mark.parametrize(("now", "warned"), [((2026, 11, 30, 23, 59), False), ((2026, 12, 1, 0, 0), True)])
def test_missing_next_year_warns_admins_from_1_december(web, clock, now, warned):
    clock.freeze(datetime(*now, tzinfo=SHANGHAI))
    assert ("尚未录入 2027 年的节假日与调休" in text(web("admin").get("/cockpit"))) is warned
    assert "尚未录入 2027 年" not in text(web("officer").get("/cockpit"))
