"""The workflow platform's use cases called as the web handlers call them, without HTTP:
one unit of work per call, on a real database with the real engine. What a refusal looks
like over REST or on a page is the contract suites' business (tests/integration); here the
use case's outcome is read from its rows and its refusals are the service errors."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.models import InstanceState
from app.platform import messages, task_actions, user_tasks
from app.platform.jobs import execute_due_jobs
from app.platform.process_instances import start_process
from tests.support.services import as_user, deploy_fixtures, instance, open_tasks
from tests.support.tasklist import add_user

APPLICATION = {"centerName": "新疆棉纺织技术创新中心", "summary": "围绕棉纺织全产业链建设"}


@pytest.fixture
def review(ctx) -> str:
    """A `tl_review` started by cotton for 天棉集团, recommended by 乌鲁木齐市; its id."""
    deploy_fixtures(ctx, "tl_review.bpmn", "tl_application.schema.json", "tl_decision.schema.json")
    started = as_user(ctx, "cotton", start_process, key="tl_review", business_key="TIC-2026-001", variables={
        "applicantOrg": "tianmian", "recommenderOrg": "urumqi_gov", "recommendDue": "2026-03-09T18:00:00+08:00",
    })
    return started.id


def completed(ctx, user_id: str, instance_id: str, task_key: str, values: dict) -> None:
    as_user(ctx, user_id, user_tasks.complete, open_tasks(ctx, instance_id)[task_key].id, values)


def test_a_started_instance_waits_at_its_first_step_for_the_applying_unit_in_the_starters_hands(ctx, review):
    fill = open_tasks(ctx, review)["fill"]
    assert (fill.business_key, fill.assignee, fill.candidate_groups) == ("TIC-2026-001", "cotton", "lead_unit:tianmian")
    assert instance(ctx, review).owner_org == "tianmian"


def test_claim_then_complete_moves_the_instance_to_the_next_step(ctx, review):
    fill = open_tasks(ctx, review)["fill"].id
    as_user(ctx, "cotton", user_tasks.claim, fill)
    assert open_tasks(ctx, review)["fill"].assignee == "cotton"

    as_user(ctx, "cotton", user_tasks.complete, fill, APPLICATION)

    assert list(open_tasks(ctx, review)) == ["recommend"]


def test_a_task_claimed_by_one_colleague_is_refused_to_another(ctx, review):
    add_user(ctx, "cotton2", "tianmian", ["lead_unit"])
    fill = open_tasks(ctx, review)["fill"].id
    as_user(ctx, "cotton", user_tasks.claim, fill)
    with pytest.raises(Conflict, match="任务已被 cotton 认领"):
        as_user(ctx, "cotton2", user_tasks.claim, fill)


def test_another_units_step_is_not_even_found(ctx, review):
    with pytest.raises(NotFound):
        as_user(ctx, "kashgar", user_tasks.complete, open_tasks(ctx, review)["fill"].id, APPLICATION)
    assert list(open_tasks(ctx, review)) == ["fill"]


def test_complete_enforces_the_form_and_its_opinion_rule(ctx, review):
    completed(ctx, "cotton", review, "fill", APPLICATION)
    recommend = open_tasks(ctx, review)["recommend"].id

    with pytest.raises(ValidationFailed) as refused:
        as_user(ctx, "urumqi", user_tasks.complete, recommend, {"decision": "return"})

    assert refused.value.errors == [{"field": "opinion", "message": "审核意见：请填写审批意见"}]
    assert list(open_tasks(ctx, review)) == ["recommend"]


def test_send_back_reopens_the_earlier_step_for_whoever_did_it(ctx, review):
    completed(ctx, "cotton", review, "fill", APPLICATION)
    recommend = open_tasks(ctx, review)["recommend"].id

    reopened = as_user(ctx, "urumqi", task_actions.send_back, recommend, "fill", "请补充建设方案摘要")

    fill = open_tasks(ctx, review)["fill"]
    assert (fill.id, fill.assignee, list(open_tasks(ctx, review))) == (reopened, "cotton", ["fill"])


def test_send_back_needs_an_opinion(ctx, review):
    completed(ctx, "cotton", review, "fill", APPLICATION)
    with pytest.raises(ValidationFailed):
        as_user(ctx, "urumqi", task_actions.send_back, open_tasks(ctx, review)["recommend"].id, "fill", "  ")


def test_a_message_correlated_by_business_key_takes_the_withdrawal_path(ctx, review):
    caught = as_user(ctx, "cotton", messages.correlate, "ApplicationWithdrawn", business_key="TIC-2026-001")

    assert caught == [review]
    assert instance(ctx, review).state == InstanceState.COMPLETED
    assert open_tasks(ctx, review) == {}


def test_only_the_applicant_may_withdraw_by_message(ctx, review):
    with pytest.raises(messages.MismatchingMessage):
        as_user(ctx, "urumqi", messages.correlate, "ApplicationWithdrawn", business_key="TIC-2026-001")
    assert list(open_tasks(ctx, review)) == ["fill"]


def test_the_executor_fires_a_timer_once_it_is_due(ctx, clock):
    deploy_fixtures(ctx, "job_boundary_timer.bpmn", "job_review.schema.json")
    started = as_user(ctx, "officer", start_process, key="job_boundary_timer").id

    clock.advance(timedelta(days=29))
    assert execute_due_jobs(ctx) == 0
    assert list(open_tasks(ctx, started)) == ["review"]

    clock.advance(timedelta(days=1, seconds=1))
    assert execute_due_jobs(ctx) == 1
    assert list(open_tasks(ctx, started)) == ["escalate"]
