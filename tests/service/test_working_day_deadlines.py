"""Deadlines in working days on the platform's calendar: the table seeded from the
chinese-calendar package, `${workdays(n)}` due dates and timers, and the admins' warning."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.clock import SHANGHAI
from app.core.errors import Forbidden, ValidationFailed
from app.models import CalendarDay, Job
from app.platform import user_tasks, working_calendar
from app.platform.jobs import execute_due_jobs
from app.platform.process_instances import start_process
from tests.support.services import as_user, deploy_fixtures, instance, open_tasks


def at(y, m, d, hour=10, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def deadline(ctx, start: datetime, days: int):
    with ctx.db.read() as session:
        return working_calendar.deadline(session, start, days)


def started(ctx, when: datetime) -> str:
    ctx.clock.freeze(when)
    deploy_fixtures(ctx, "wd_deadlines.bpmn", "tl_application.schema.json", "tl_decision.schema.json")
    return as_user(ctx, "cotton", start_process, key="wd_deadlines", variables={"applicantOrg": "tianmian"}).id


def test_5_working_days_across_the_spring_festival_and_its_adjusted_saturday(ctx):
    """2026 by the chinese-calendar package: Spring Festival off Sun 15 – Mon 23 February,
    Saturdays 14 and 28 February worked (调休)."""
    # Thu 12 Feb: Fri 13 (1), Sat 14 worked (2), 15–23 off, Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert deadline(ctx, at(2026, 2, 12), 5).at == at(2026, 2, 26)
    # Wed 25 Feb: Thu 26 (1), Fri 27 (2), Sat 28 worked (3), Mon 2 Mar (4), Tue 3 Mar (5).
    assert deadline(ctx, at(2026, 2, 25), 5).at == at(2026, 3, 3)
    assert deadline(ctx, at(2026, 2, 12), 5).weekends_only == ()


def test_year_without_holidays_counts_weekends_only_and_says_so(ctx):
    # 2027 is not in the package: Thu 4 Feb + 5 is Thu 11 Feb, whatever the State Council decides.
    assert deadline(ctx, at(2027, 2, 4), 5).at == at(2027, 2, 11)
    assert deadline(ctx, at(2027, 2, 4), 5).weekends_only == (2027,)
    # Across the year's end: Wed 30 Dec 2026 + 5 is Wed 6 Jan 2027, counted by weekends there.
    across = deadline(ctx, at(2026, 12, 30), 5)
    assert (across.at, across.weekends_only) == (at(2027, 1, 6), (2027,))

    instance_id = started(ctx, at(2027, 2, 4))
    fill = open_tasks(ctx, instance_id)["fill"]
    assert (fill.due_at, fill.due_weekends_only) == (at(2027, 2, 11), True)


def test_a_due_date_in_working_days_counts_from_when_the_task_opens(ctx):
    instance_id = started(ctx, at(2026, 2, 12))
    fill = open_tasks(ctx, instance_id)["fill"]
    assert (fill.due_at, fill.due_weekends_only) == (at(2026, 2, 26), False)

    ctx.clock.freeze(at(2026, 2, 25, 9))
    as_user(ctx, "cotton", user_tasks.complete, fill.id, {"centerName": "新疆棉纺织技术创新中心", "summary": "材料已补正"})
    # Wed 25 Feb + 3: Thu 26, Fri 27, Sat 28 (worked).
    assert open_tasks(ctx, instance_id)["review"].due_at == at(2026, 2, 28, 9)


def test_a_timer_in_working_days_fires_on_the_working_day_it_names(ctx):
    instance_id = started(ctx, at(2026, 2, 12))
    # Thu 12 Feb + 10: 13, 14, 24, 25, 26, 27, 28, 2 Mar, 3 Mar, Wed 4 Mar.
    with ctx.db.read() as session:
        job = session.scalars(select(Job).where(Job.instance_id == instance_id)).one()
    assert job.due_at == at(2026, 3, 4)

    ctx.clock.freeze(at(2026, 3, 4, 9, 59))
    assert execute_due_jobs(ctx) == 0
    ctx.clock.freeze(at(2026, 3, 4))
    assert execute_due_jobs(ctx) == 1
    assert open_tasks(ctx, instance_id) == {} and instance(ctx, instance_id).state.value == "COMPLETED"


def test_the_calendar_is_seeded_from_the_package_for_the_years_it_covers(ctx):
    with ctx.db.read() as session:
        days = {d.day: (d.kind, d.name) for d in session.scalars(select(CalendarDay))}
    assert days[date(2026, 2, 16)] == ("holiday", "春节") and days[date(2026, 2, 14)] == ("workday", "春节")
    assert days[date(2004, 1, 1)] == ("holiday", "元旦")
    assert not [d for d in days if d.year > 2026]
    with ctx.db.command() as session:
        assert working_calendar.seed(session, ctx.now()) == []


def test_admins_keep_the_calendar_and_a_bad_day_is_refused_in_chinese(ctx):
    as_user(ctx, "admin", working_calendar.save_day, {"day": "2027-02-08", "kind": "holiday", "name": "春节"})
    assert deadline(ctx, at(2027, 2, 5), 1).at == at(2027, 2, 9)
    assert deadline(ctx, at(2027, 2, 5), 1).weekends_only == ()

    with pytest.raises(ValidationFailed) as refused:
        as_user(ctx, "admin", working_calendar.save_day, {"day": "2027-02-30", "kind": "off", "name": ""})
    assert {e["field"] for e in refused.value.errors} == {"day", "kind", "name"}
    with pytest.raises(ValidationFailed, match="已在日历中"):
        as_user(ctx, "admin", working_calendar.save_day, {"day": "2027-02-08", "kind": "workday", "name": "调休"})
    with pytest.raises(Forbidden):
        as_user(ctx, "officer", working_calendar.save_day, {"day": "2027-02-09", "kind": "holiday", "name": "春节"})

    as_user(ctx, "admin", working_calendar.save_day, {"day": "2027-02-09", "kind": "holiday", "name": "春节"},
            "2027-02-08")
    as_user(ctx, "admin", working_calendar.delete_day, "2027-02-09")
    assert deadline(ctx, at(2027, 2, 5), 1).weekends_only == (2027,)


def test_a_year_the_package_covers_is_imported_again_and_a_later_one_refused(ctx):
    as_user(ctx, "admin", working_calendar.delete_day, "2026-02-14")
    assert as_user(ctx, "admin", working_calendar.import_year, "2026") == 39
    assert deadline(ctx, at(2026, 2, 12), 5).at == at(2026, 2, 26)
    with pytest.raises(ValidationFailed, match="2004–2026"):
        as_user(ctx, "admin", working_calendar.import_year, "2027")


def test_missing_next_year_warns_admins_from_1_december(ctx):
    with ctx.db.read() as session:
        assert working_calendar.missing_next_year(session, at(2026, 11, 30, 23, 59)) is None
        assert working_calendar.missing_next_year(session, at(2026, 12, 1, 0, 0)) == 2027
        assert working_calendar.missing_next_year(session, at(2025, 12, 1)) is None
    as_user(ctx, "admin", working_calendar.save_day, {"day": "2027-01-01", "kind": "holiday", "name": "元旦"})
    with ctx.db.read() as session:
        assert working_calendar.missing_next_year(session, at(2026, 12, 1)) is None
