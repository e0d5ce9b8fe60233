"""The 催办 ladder run by the job executor: a reminder before the due date, an overdue
notice on it, escalation after it, each exactly once per task (2026 calendar: Saturday
28 February is worked)."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.clock import SHANGHAI
from app.models import HistoryEvent, Notification
from app.platform import deadline_ladder, deployment, task_actions, user_tasks
from app.platform.process_instances import start_process
from tests.support.services import as_user, deploy_fixtures, open_tasks

LADDER = Path(__file__).resolve().parents[2] / "bpmn" / "deadline_ladder.dmn"


def at(y, m, d, hour=10, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def started(ctx, when: datetime) -> str:
    """wd_deadlines started by cotton at `when`: `fill` (cotton's unit) due 5 working days later."""
    ctx.clock.freeze(when)
    deploy_fixtures(ctx, "wd_deadlines.bpmn", "tl_application.schema.json", "tl_decision.schema.json")
    as_user(ctx, "analyst", deployment.deploy, "ladder", {LADDER.name: LADDER.read_bytes()})
    return as_user(ctx, "cotton", start_process, key="wd_deadlines", variables={"applicantOrg": "tianmian"}).id


def sent_at(ctx, when: datetime) -> int:
    ctx.clock.freeze(when)
    return deadline_ladder.run_due_rungs(ctx)


def notices(ctx, kind: str) -> list[tuple[str, str]]:
    with ctx.db.read() as session:
        return [(n.user_id, n.title) for n in session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id))]


def test_the_reminder_fires_once_a_working_day_before_the_due_date(ctx):
    started(ctx, at(2026, 2, 12))  # fill due Thu 26 Feb 10:00
    assert sent_at(ctx, at(2026, 2, 25, 9, 59)) == 0
    assert sent_at(ctx, at(2026, 2, 25, 10, 0)) == 1
    assert sent_at(ctx, at(2026, 2, 25, 15, 0)) == 0
    assert notices(ctx, "deadline") == [("cotton", "即将到期：补正材料 / Due soon: 补正材料")]


def test_the_overdue_notice_fires_once_on_the_due_date(ctx):
    started(ctx, at(2026, 2, 12))
    assert sent_at(ctx, at(2026, 2, 26, 9, 59)) == 1  # the reminder
    assert sent_at(ctx, at(2026, 2, 26, 10, 0)) == 1
    assert sent_at(ctx, at(2026, 2, 26, 11, 0)) == 0
    assert [title for _user, title in notices(ctx, "deadline")][-1].startswith("已逾期：补正材料")


def test_another_units_step_is_escalated_once_to_the_department_officers_who_urge_that_unit(ctx):
    instance_id = started(ctx, at(2026, 2, 12))
    sent_at(ctx, at(2026, 2, 26, 10, 0))
    # Three working days after Thu 26 Feb: Fri 27, Sat 28 (worked), Mon 2 Mar.
    assert sent_at(ctx, at(2026, 3, 2, 9, 59)) == 0
    assert sent_at(ctx, at(2026, 3, 2, 10, 0)) == 1
    assert sent_at(ctx, at(2026, 3, 9)) == 0
    assert notices(ctx, "escalated") == [("officer", "逾期督办：补正材料 / Escalated: 补正材料")]

    fill = open_tasks(ctx, instance_id)["fill"]
    assert as_user(ctx, "officer", task_actions.urge, fill.id, "请于明日前补正") == ["cotton"]
    with ctx.db.read() as session:
        events = [e.event_type for e in session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id))]
    # First looked at on the due date: no reminder then, only the overdue notice.
    assert events[-3:] == ["deadline_overdue", "deadline_escalated", "task_urged"]


def test_a_department_step_is_escalated_to_the_leaders(ctx):
    instance_id = started(ctx, at(2026, 2, 12))
    fill = open_tasks(ctx, instance_id)["fill"]
    as_user(ctx, "cotton", user_tasks.complete, fill.id, {"centerName": "新疆棉纺织技术创新中心", "summary": "已补正"})
    # review: 3 working days from Thu 12 Feb are Fri 13, Sat 14 (worked), Tue 24 after the holiday.
    assert open_tasks(ctx, instance_id)["review"].due_at == at(2026, 2, 24)
    assert sent_at(ctx, at(2026, 2, 27, 9, 59)) == 1  # overdue
    assert sent_at(ctx, at(2026, 2, 27, 10, 0)) == 1
    assert [user for user, _title in notices(ctx, "escalated")] == ["leader"]


def test_a_late_first_look_sends_the_overdue_notice_and_escalation_but_no_reminder(ctx):
    started(ctx, at(2026, 2, 12))
    assert sent_at(ctx, at(2026, 3, 10)) == 2
    assert len(notices(ctx, "deadline")) == 1 and len(notices(ctx, "escalated")) == 1


def test_each_rung_fires_exactly_once_with_two_executors(ctx):
    started(ctx, at(2026, 2, 12))
    ctx.clock.freeze(at(2026, 2, 25, 10, 0))
    both = threading.Barrier(2)
    sent: list[int] = []

    def executor():
        both.wait()
        sent.append(deadline_ladder.run_due_rungs(ctx))

    threads = [threading.Thread(target=executor) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [0, 1] and len(notices(ctx, "deadline")) == 1


def test_the_steps_rungs_come_from_the_decision_table(ctx):
    started(ctx, at(2026, 2, 12))
    with ctx.db.read() as session:
        assert deadline_ladder.rungs_of(ctx, session, "tic_annual_report", "submit_annual_report") == deadline_ladder.Rungs(5, 3)
        assert deadline_ladder.rungs_of(ctx, session, "wd_deadlines", "fill") == deadline_ladder.Rungs(1, 3)
