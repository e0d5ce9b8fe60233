"""Completes, claims, withdrawals, deletions and send-backs racing on one task: every loser gets a
409 (or 404 once the instance is gone), never a 500, and each effect happens once."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.core.identity import load_actor
from app.engine.errors import TaskNotReady
from app.models import HistoryEvent
from app.platform import instance_store, task_actions
from tests.support.clients import Rest
from tests.support.concurrency import run_together
from tests.support.jobs import complete, deployed, model_files, only_task, start

LOSING = {409, 404}


def _instance_at_final_review(officer, cotton) -> tuple[str, str]:
    instance_id = start(cotton, "job_two_steps")["id"]
    first = only_task(officer, instance_id, "first_review")
    assert complete(officer, first["id"], {"approved": True}).status_code == 204
    return instance_id, only_task(officer, instance_id, "final_review")["id"]


def _terminations(ctx, instance_id: str) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.instance_id == instance_id,
            HistoryEvent.event_type == "instance_terminated"))


def test_completes_withdrawals_deletes_and_send_backs_on_one_task_never_answer_500(app, ctx, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))

    def call(user, method, path, body=None):
        api = Rest(app.test_client(), user)
        response = getattr(api.client, method)(path, headers=api.headers, json=body)
        return path.rsplit("/", 1)[-1] or method, response.status_code, response.get_json(silent=True)

    for _trial in range(5):
        instance_id, task_id = _instance_at_final_review(officer, rest("cotton"))
        calls = (
            [lambda: call("leader", "post", f"/engine-rest/task/{task_id}/complete", {"variables": {}})] * 8
            + [lambda: call("cotton", "post", f"/api/instances/{instance_id}/withdraw", {})] * 4
            + [lambda: call("officer", "delete", f"/engine-rest/process-instance/{instance_id}")] * 4
            + [lambda: call("leader", "post", f"/api/tasks/{task_id}/send-back",
                            {"activityId": "first_review", "opinion": "材料不全"})] * 4
            + [lambda: call("leader", "post", f"/engine-rest/task/{task_id}/claim", {"userId": "leader"})] * 4
        )
        results = run_together(*calls)
        assert not [r for r in results if r[1] >= 500], results
        assert {status for _name, status, _body in results if status >= 300} <= LOSING, results
        won = Counter(name for name, status, _body in results if status < 300)
        on_the_task = won["complete"] + won["send-back"]
        ending = won["withdraw"] + won[instance_id]
        # One step is taken on the task; the case ends at most once, and not after the
        # last step completed it (a send-back leaves it running, so it may still end).
        assert on_the_task <= 1 and ending <= 1 and on_the_task + ending >= 1, results
        assert not (won["complete"] and ending), results
        assert _terminations(ctx, instance_id) == ending


def test_a_second_delete_is_404_and_writes_no_second_history_event(ctx, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]

    assert officer.delete(f"/process-instance/{instance_id}").status_code == 204
    second = officer.delete(f"/process-instance/{instance_id}")
    assert second.status_code == 404, second.get_json()
    assert second.get_json()["type"] == "NotFoundException"
    assert _terminations(ctx, instance_id) == 1


def test_two_deletes_at_once_terminate_the_instance_once(app, ctx, rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    instance_id = start(officer, "job_two_steps")["id"]

    def delete():
        return Rest(app.test_client(), "officer").delete(f"/process-instance/{instance_id}").status_code

    assert sorted(run_together(delete, delete, delete)) == [204, 404, 404]
    assert _terminations(ctx, instance_id) == 1


def test_a_complete_that_read_its_task_before_another_command_ended_it_is_a_409(ctx, rest):
    """The task row was read, then a send-back committed before the workflow was loaded: the
    workflow no longer holds the task at all."""
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    officer = rest("officer")
    instance_id, task_id = _instance_at_final_review(officer, rest("cotton"))
    with ctx.db.command() as session:
        leader = load_actor(session, "leader")
        task_actions.send_back(ctx, session, leader, task_id, "first_review", "材料不全")
    with ctx.db.command() as session:
        loaded = instance_store.load(ctx, session, instance_id)
        with pytest.raises(TaskNotReady):
            loaded.execution.complete_user_task(task_id, {})
