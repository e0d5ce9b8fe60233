"""A draft lives exactly as long as its open task: whichever way the task ends (completed on
either face, sent back, withdrawn, the instance deleted, a timer cancelling it), its drafts
go with it, because the draft table refers to the task table (ON DELETE CASCADE)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.core.identity import load_actor
from app.models import TaskDraft
from app.platform import drafts
from app.platform.jobs import execute_due_jobs
from tests.support.establishment import (
    application, deploy_models, recommender_decides, start_application, submit, task, withdraw,
)
from tests.support.jobs import deployed, model_files, only_task, start
from tests.support.web import text
from tests.support.web import form_data, start_application as start_web_application


@pytest.fixture
def models(ctx):
    deploy_models(ctx)


def save_draft(ctx, user: str, task_id: str, values: dict) -> None:
    with ctx.db.command() as session:
        drafts.save(ctx, session, load_actor(session, user), task_id, values)


def drafts_of(ctx, task_id: str) -> list[TaskDraft]:
    with ctx.db.read() as session:
        return session.scalars(select(TaskDraft).where(TaskDraft.task_id == task_id)).all()


def application_with_draft(ctx, rest) -> tuple[str, str]:
    """cotton's new application with a draft of its first task; (instance id, task id)."""
    instance_id = start_application(rest("cotton"))
    task_id = task(rest("cotton"), instance_id, "fill_application")["id"]
    save_draft(ctx, "cotton", task_id, {"centerName": "新疆草稿技术创新中心"})
    assert len(drafts_of(ctx, task_id)) == 1
    return instance_id, task_id


def test_a_rest_complete_leaves_no_draft_of_the_task(models, ctx, rest):
    instance_id, task_id = application_with_draft(ctx, rest)
    submit(rest("cotton"), instance_id)
    assert drafts_of(ctx, task_id) == []


def test_a_withdrawn_application_leaves_no_draft(models, ctx, rest):
    _instance_id, task_id = application_with_draft(ctx, rest)
    assert withdraw(rest("cotton"), "SQ-2026-001").status_code == 204
    assert drafts_of(ctx, task_id) == []


def test_a_deleted_instance_leaves_no_draft(models, ctx, rest):
    instance_id, task_id = application_with_draft(ctx, rest)
    assert rest("cotton").delete(f"/process-instance/{instance_id}").status_code == 204
    assert drafts_of(ctx, task_id) == []


def test_a_task_sent_back_leaves_no_draft_of_it(models, ctx, rest, client):
    urumqi = rest("urumqi")
    instance_id = start_application(rest("cotton"))
    submit(rest("cotton"), instance_id)
    review_id = task(urumqi, instance_id, "recommender_review")["id"]
    assert urumqi.post(f"/task/{review_id}/claim", json={"userId": "urumqi"}).status_code == 204
    save_draft(ctx, "urumqi", review_id, {"recommenderOpinion": "材料不全"})
    response = client.post(f"/api/tasks/{review_id}/send-back", headers=urumqi.headers,
                           json={"activityId": "fill_application", "opinion": "请补充共建协议"})
    assert response.status_code == 200, response.get_json()
    assert drafts_of(ctx, review_id) == []


def test_drafts_of_other_tasks_stay_when_one_task_ends(models, ctx, rest):
    first_id, first_task = application_with_draft(ctx, rest)
    second_id = start_application(rest("cotton"), "SQ-2026-002")
    second_task = task(rest("cotton"), second_id, "fill_application")["id"]
    save_draft(ctx, "cotton", second_task, {"centerName": "另一个草稿"})
    submit(rest("cotton"), first_id)
    recommender_decides(rest("urumqi"), first_id, "approve")
    assert drafts_of(ctx, first_task) == []
    assert [d.user_id for d in drafts_of(ctx, second_task)] == ["cotton"]


def test_a_timer_cancelling_the_task_takes_its_draft(ctx, rest, clock):
    officer = rest("officer")
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    instance_id = start(officer, "job_boundary_timer")["id"]
    review_id = only_task(officer, instance_id, "review")["id"]
    save_draft(ctx, "officer", review_id, {"comment": "还在看"})
    clock.advance(timedelta(days=31))
    assert execute_due_jobs(ctx) == 1
    assert drafts_of(ctx, review_id) == []


def test_the_database_refuses_a_draft_of_no_task(models, ctx):
    with pytest.raises(IntegrityError):
        with ctx.db.command() as session:
            session.connection().execute(insert(TaskDraft).values(
                task_id="00000000-0000-0000-0000-000000000000", user_id="cotton",
                values_json="{}", saved_at=ctx.now()))


@pytest.mark.usefixtures("project_models")
def test_a_draft_saved_on_the_page_is_reopened_and_submitted(web, ctx):
    """The page's draft flow still works: save, reopen filled from the draft, submit."""
    cotton = web("cotton")
    task_id = start_web_application(cotton)
    response = cotton.post(f"/tasks/{task_id}", {"centerName": "新疆草稿技术创新中心", "_action": "save"},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    assert 'value="新疆草稿技术创新中心"' in text(cotton.get(f"/tasks/{task_id}"))
    response = cotton.post(f"/tasks/{task_id}", {**form_data(application()), "_action": "submit"},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302, text(response)
    assert drafts_of(ctx, task_id) == []
