"""Two users at once, two executors at once, and an app restarted in the middle of an instance.

Run against the fixture's database: a SQLite file, or PostgreSQL when DATABASE_URL is set.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from app import create_app
from app.core.errors import Conflict
from app.models import ProcessInstance
from app.platform import instance_store
from app.platform.jobs import execute_due_jobs
from tests.support.clients import Rest
from tests.support.concurrency import run_together
from tests.support.jobs import (
    complete, deployed, historic_instance, historic_tasks, jobs, model_files, only_task, start,
    task_keys,
)


def test_two_people_completing_the_same_task_at_once_get_one_204_and_one_409(app, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]
    task = only_task(officer, instance_id, "first_review")

    def complete_as(approved):
        api = Rest(app.test_client(), "officer")
        response = complete(api, task["id"], {"approved": approved})
        return response.status_code, response.get_json(silent=True)

    results = run_together(lambda: complete_as(True), lambda: complete_as(False))
    statuses = sorted(status for status, _body in results)
    assert statuses == [204, 409], results
    [(_, conflict)] = [r for r in results if r[0] == 409]
    assert conflict["type"] == "OptimisticLockingException" and conflict["code"] == 1

    # Exactly one completion happened: one history row, one next step.
    winner_approved = results[0][0] == 204
    history = historic_tasks(officer, instance_id)
    assert history["first_review"]["deleteReason"] == "completed"
    if winner_approved:
        assert task_keys(officer, instance_id) == ["final_review"]
    else:
        assert task_keys(officer, instance_id) == []
        assert historic_instance(officer, instance_id)["state"] == "COMPLETED"


def test_a_stale_instance_write_is_refused_with_a_conflict(ctx, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]
    task_id = only_task(officer, instance_id, "first_review")["id"]

    with ctx.db.command() as session:
        first = instance_store.load(ctx, session, instance_id)
    with ctx.db.command() as session:
        second = instance_store.load(ctx, session, instance_id)

    first.execution.complete_user_task(task_id, {"approved": True})
    first.waits["completed_task"] = task_id
    with ctx.db.command() as session:
        instance_store.save(ctx, session, first, "officer")

    second.execution.complete_user_task(task_id, {"approved": False})
    second.waits["completed_task"] = task_id
    with pytest.raises(Conflict, match="已被他人修改"):
        with ctx.db.command() as session:
            instance_store.save(ctx, session, second, "officer")

    assert task_keys(officer, instance_id) == ["final_review"]
    assert historic_instance(officer, instance_id)["state"] == "ACTIVE"


def test_two_executors_never_run_the_same_due_job_twice(ctx, clock, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_boundary_timer.bpmn"))
    instance_ids = [start(officer, "job_boundary_timer")["id"] for _ in range(3)]
    clock.advance(timedelta(days=31))

    ran = run_together(lambda: execute_due_jobs(ctx), lambda: execute_due_jobs(ctx))
    assert sum(ran) == 3, ran
    for instance_id in instance_ids:
        assert task_keys(officer, instance_id) == ["escalate"]
        assert jobs(officer, instance_id) == []
    assert execute_due_jobs(ctx) == 0


# ---------------------------------------------------------------------------------- restart


def restarted(app, database_url, clock):
    """Dispose `app` and build a new one on the same database: new engine, empty caches."""
    app.extensions["ticflow"].db.dispose()
    fresh = create_app({"database_url": database_url, "secret_key": "test"}, clock=clock)
    ctx = fresh.extensions["ticflow"]
    assert ctx.caches == {} and ctx.engine is not app.extensions["ticflow"].engine
    return fresh


def test_an_instance_continues_to_the_end_on_a_restarted_app(app, rest, database_url, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]
    first = only_task(officer, instance_id, "first_review")
    assert complete(officer, first["id"], {"approved": True, "comment": "同意"}).status_code == 204

    fresh = restarted(app, database_url, clock)
    try:
        leader = Rest(fresh.test_client(), "leader")
        final = only_task(leader, instance_id, "final_review")
        assert complete(leader, final["id"], {"approved": True}).status_code == 204
        finished = historic_instance(leader, instance_id)
        assert finished["state"] == "COMPLETED"
        history = historic_tasks(leader, instance_id)
        assert history["first_review"]["completedBy"] == "officer"
        assert history["final_review"]["completedBy"] == "leader"
    finally:
        fresh.extensions["ticflow"].db.dispose()


def test_a_timer_set_before_a_restart_fires_on_the_restarted_app(app, rest, database_url, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_boundary_timer.bpmn"))
    instance_id = start(officer, "job_boundary_timer")["id"]

    fresh = restarted(app, database_url, clock)
    try:
        clock.advance(timedelta(days=31))
        assert execute_due_jobs(fresh.extensions["ticflow"]) == 1
        leader = Rest(fresh.test_client(), "leader")
        escalate = only_task(leader, instance_id, "escalate")
        assert complete(leader, escalate["id"]).status_code == 204
        assert historic_instance(leader, instance_id)["state"] == "COMPLETED"
    finally:
        fresh.extensions["ticflow"].db.dispose()


# --------------------------------------------------------------------------- instance cache


def stored_version(ctx, instance_id: str) -> int:
    with ctx.db.read() as session:
        return session.get(ProcessInstance, instance_id).version


def two_step_instance(rest) -> tuple[Rest, str, str]:
    """The officer, a started two-step review, and its first task's id."""
    officer = rest("officer")
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]
    return officer, instance_id, only_task(officer, instance_id, "first_review")["id"]


def test_the_workflow_a_command_saved_is_kept_for_the_next_command_at_its_version(ctx, rest):
    officer, instance_id, first_id = two_step_instance(rest)
    assert complete(officer, first_id, {"approved": True}).status_code == 204

    version = stored_version(ctx, instance_id)
    kept = ctx.instances.take(instance_id, version)
    assert kept is not None and [t.key for t in kept.user_tasks()] == ["final_review"]
    assert ctx.instances.take(instance_id, version) is None, "a kept workflow is handed out once"
    ctx.instances.put(instance_id, version, kept)
    assert ctx.instances.take(instance_id, version - 1) is None, "only for the version it was saved as"


def test_a_finished_instance_is_not_kept(ctx, rest):
    officer, instance_id, first_id = two_step_instance(rest)
    assert complete(officer, first_id, {"approved": False}).status_code == 204

    assert historic_instance(officer, instance_id)["state"] == "COMPLETED"
    assert ctx.instances.take(instance_id, stored_version(ctx, instance_id)) is None


def test_a_step_taken_by_another_process_is_never_hidden_by_a_kept_workflow(app, rest, database_url, clock):
    officer, instance_id, first_id = two_step_instance(rest)
    # This process keeps the workflow as started; another process moves the instance on.
    other = create_app({"database_url": database_url, "secret_key": "test"}, clock=clock)
    try:
        elsewhere = Rest(other.test_client(), "officer")
        assert complete(elsewhere, first_id, {"approved": True, "comment": "同意"}).status_code == 204
    finally:
        other.extensions["ticflow"].db.dispose()

    leader = rest("leader")
    final = only_task(leader, instance_id, "final_review")
    assert complete(leader, final["id"], {"approved": True}).status_code == 204
    assert historic_instance(leader, instance_id)["state"] == "COMPLETED"
    assert historic_tasks(leader, instance_id)["first_review"]["completedBy"] == "officer"


def test_a_workflow_changed_after_its_save_is_not_kept(ctx, rest):
    officer, instance_id, task_id = two_step_instance(rest)

    with ctx.db.command() as session:
        loaded = instance_store.load(ctx, session, instance_id)
        loaded.execution.complete_user_task(task_id, {"approved": True})
        loaded.waits["completed_task"] = task_id
        instance_store.save(ctx, session, loaded, "officer")
        # A change after the save is never stored, so that workflow must not be reused.
        (final,) = loaded.execution.user_tasks()
        loaded.execution.complete_user_task(final.id, {"approved": True})

    assert ctx.instances.take(instance_id, stored_version(ctx, instance_id)) is None
    assert task_keys(officer, instance_id) == ["final_review"]
    leader = rest("leader")
    assert complete(leader, only_task(leader, instance_id, "final_review")["id"],
                    {"approved": True}).status_code == 204


def test_a_failed_command_leaves_no_workflow_behind(ctx, rest):
    officer, instance_id, task_id = two_step_instance(rest)

    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            loaded = instance_store.load(ctx, session, instance_id)
            loaded.execution.complete_user_task(task_id, {"approved": True})
            loaded.waits["completed_task"] = task_id
            instance_store.save(ctx, session, loaded, "officer")
            raise RuntimeError("the command fails after its save")

    assert ctx.instances.take(instance_id, stored_version(ctx, instance_id)) is None
    assert task_keys(officer, instance_id) == ["first_review"]
