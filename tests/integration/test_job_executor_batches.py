"""One executor pass over several due jobs: each job is its own command, a job that an
earlier one removed is skipped, and a job whose lock passed to another worker is left to it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.models import Job
from app.platform import jobs as job_executor
from tests.support.jobs import (
    camunda_date, complete, deployed, jobs, model_files, only_job, only_task, start, task_keys,
)


def test_a_job_removed_by_an_earlier_job_of_the_pass_is_skipped_and_the_pass_goes_on(ctx, clock, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_deadlines.bpmn", "job_boundary_timer.bpmn"))
    two_timers = start(officer, "job_two_deadlines")["id"]
    later = start(officer, "job_boundary_timer")["id"]
    clock.advance(timedelta(days=31))

    # Due order: the first deadline (day 1), the second (day 2, cancelled by the first), day 30.
    assert job_executor.execute_due_jobs(ctx, limit=10) == 2
    assert task_keys(officer, two_timers) == ["escalate"]
    assert task_keys(officer, later) == ["escalate"], "the job after the vanished one ran"
    assert jobs(officer, two_timers) == [] and jobs(officer, later) == []
    with ctx.db.read() as session:
        assert list(session.scalars(select(Job.id).where(Job.lock_owner.is_not(None)))) == []


def locked_then_expired(ctx, clock, rest) -> tuple[str, str]:
    """An instance whose due timer job `slow-worker` locked and held past its lock's expiry."""
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    instance_id = start(rest("officer"), "job_boundary_timer")["id"]
    clock.advance(timedelta(days=31))
    [job_id] = job_executor.acquire(ctx, owner="slow-worker")
    clock.advance(timedelta(seconds=ctx.settings.job_lock_seconds + 1))
    return instance_id, job_id


def test_a_job_whose_lock_another_worker_took_over_is_not_run_by_the_first(ctx, clock, rest):
    officer = rest("officer")
    instance_id, job_id = locked_then_expired(ctx, clock, rest)
    assert job_executor.acquire(ctx, owner="second-worker") == [job_id]

    assert job_executor.run_acquired(ctx, job_id, "slow-worker") is False
    assert task_keys(officer, instance_id) == ["review"]
    assert job_executor.run_acquired(ctx, job_id, "second-worker") is True
    assert task_keys(officer, instance_id) == ["escalate"]


def test_a_job_whose_lock_expired_is_not_run_by_its_late_owner(ctx, clock, rest):
    officer = rest("officer")
    instance_id, job_id = locked_then_expired(ctx, clock, rest)
    assert job_executor.run_acquired(ctx, job_id, "slow-worker") is False
    assert task_keys(officer, instance_id) == ["review"]
    assert job_executor.execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["escalate"]


def test_a_step_sent_back_to_arms_its_timer_on_the_apps_clock(ctx, clock, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_return_to_timed_step.bpmn"))
    instance_id = start(officer, "job_return_to_timed_step")["id"]
    first = only_task(officer, instance_id, "first_review")
    assert complete(officer, first["id"], {"approved": True}).status_code == 204
    final = only_task(officer, instance_id, "final_review")
    clock.advance(timedelta(hours=5))

    response = officer.client.post(f"/api/tasks/{final['id']}/send-back", headers=officer.headers,
                                   json={"activityId": "first_review", "opinion": "请补充材料"})
    assert response.status_code == 200, response.get_json()
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(clock.now() + timedelta(days=1))
