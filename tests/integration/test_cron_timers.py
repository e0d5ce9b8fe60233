"""Quartz cron timer cycles, as Camunda 7 accepts them in timeCycle: read in Asia/Shanghai,
held to the minimum interval that guards every timer, each next firing scheduled from the cron.

Time never passes by itself: the tests move the app's clock and run one executor pass.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.jobs import (
    bpmn, camunda_date, deploy_rest, deployed, form_files, only_job, start, task_keys,
)

pytestmark = pytest.mark.restored_and_cached

# The tests' clock starts on Monday 2026-03-02 at 09:00 in Shanghai (01:00 UTC).
WEEKDAYS_AT_0930 = "0 30 9 ? * MON-FRI"


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 given in Shanghai time (UTC+8)."""
    return datetime(2026, 3, day, hour - 8, minute, tzinfo=timezone.utc)


def reminder_files(cycle: str) -> dict[str, bytes]:
    xml = bpmn("job_boundary_reminder.bpmn").replace(
        b"<bpmn:timeDuration>P7D</bpmn:timeDuration>", f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>".encode())
    return {**form_files(), "job_boundary_reminder.bpmn": xml}


def move_clock_to(clock, when: datetime) -> None:
    clock.advance(when - clock.now())


def test_a_cron_reminder_fires_on_weekdays_and_its_next_job_follows_the_cron(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, reminder_files(WEEKDAYS_AT_0930))
    instance_id = start(officer, "job_boundary_reminder")["id"]
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(shanghai(2, 9, 30))

    move_clock_to(clock, shanghai(2, 10))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["review", "urge"]
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(shanghai(3, 9, 30))
    assert execute_due_jobs(ctx) == 0, "Tuesday's firing is still to come"

    move_clock_to(clock, shanghai(6, 12))
    assert execute_due_jobs(ctx) == 1, "the firings missed since Tuesday fire once"
    assert task_keys(officer, instance_id) == ["review", "urge", "urge"]
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(shanghai(9, 9, 30)), (
        "after Friday comes Monday: no firing on the weekend")


def test_a_quartz_weekday_number_counts_from_sunday(rest, ctx, clock):
    """Quartz's 6#1 is the first Friday of the month (standard cron would read Saturday)."""
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, reminder_files("0 0 8 ? * 6#1"))
    instance_id = start(officer, "job_boundary_reminder")["id"]
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(shanghai(6, 8))


def test_a_five_second_cron_is_refused_at_deploy_naming_the_minimum_interval(rest):
    analyst = rest("analyst")
    response = deploy_rest(analyst, reminder_files("0/5 0/1 * 1/1 * ?"))
    assert response.status_code == 400, response.get_json()
    [error] = response.get_json()["errors"]
    assert (error["file"], error["element_id"]) == ("job_boundary_reminder.bpmn", "review_reminder")
    assert "最小间隔 60 秒" in error["message"] and "TIMER_MIN_CYCLE_SECONDS" in error["message"]
    assert error["line"]
    assert analyst.get("/process-definition").get_json() == []


def test_a_cron_timer_start_arms_a_waiting_instance_that_starts_at_the_next_firing(rest, ctx, clock):
    """As Camunda's loan-granting example starts, at a pace this system allows."""
    analyst, officer = rest("analyst"), rest("officer")
    xml = bpmn("job_timer_start.bpmn").replace(
        b"<bpmn:timeDate>2026-04-01T09:00:00+08:00</bpmn:timeDate>", b"<bpmn:timeCycle>0 0 10 ? * MON-FRI</bpmn:timeCycle>")
    deployed(analyst, {**form_files(), "job_timer_start.bpmn": xml})
    [waiting] = officer.get("/process-instance?processDefinitionKey=job_timer_start").get_json()
    assert only_job(officer, waiting["id"])["dueDate"] == camunda_date(shanghai(2, 10))

    move_clock_to(clock, shanghai(2, 10, 5))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, waiting["id"]) == ["publish_call"]
    assert only_job(officer, waiting["id"])["dueDate"] == camunda_date(shanghai(3, 10)), (
        "the next firing is scheduled from the cron")
