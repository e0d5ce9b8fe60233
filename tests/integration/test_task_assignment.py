"""Where a new task goes (issue 13, "Claiming everywhere"): to whoever handled the same step
of the case last, the starter's own first form to the starter, a step only one active person
may take to that person; otherwise it waits to be claimed."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import (
    deploy_models, formal_review, recommender_decides, send_letter, start_application, submit, task,
    to_formal_review,
)
from tests.support.tasklist import add_user
from tests.support.web import text


@pytest.fixture
def started(ctx, rest):
    deploy_models(ctx)
    return start_application(rest("cotton"))


def test_the_applicants_own_first_form_is_theirs_without_claiming(rest, started):
    assert task(rest("cotton"), started, "fill_application")["assignee"] == "cotton"


def test_a_step_only_one_active_person_may_take_is_theirs(rest, started):
    submit(rest("cotton"), started)

    assert task(rest("urumqi"), started, "recommender_review")["assignee"] == "urumqi"


def test_a_step_several_people_may_take_waits_in_their_claim_box(ctx, rest, started):
    add_user(ctx, "officer2", "kjt", ["department"])
    to_formal_review(rest, started)

    assert task(rest("officer"), started, "formal_review")["assignee"] is None


def test_a_deactivated_colleague_does_not_count_as_someone_who_may_take_it(ctx, rest, started):
    add_user(ctx, "officer2", "kjt", ["department"], active=False)
    to_formal_review(rest, started)

    assert task(rest("officer"), started, "formal_review")["assignee"] == "officer"


def test_a_step_sent_back_and_resubmitted_returns_to_the_officer_who_handled_it(ctx, rest, started):
    add_user(ctx, "officer2", "kjt", ["department"])
    to_formal_review(rest, started)
    officer2 = rest("officer2")
    assert officer2.post(f"/task/{task(officer2, started, 'formal_review')['id']}/claim", json={}).status_code == 204
    formal_review(officer2, started, "return", "请补充合作协议")

    assert task(rest("cotton"), started, "fill_application")["assignee"] == "cotton"
    submit(rest("cotton"), started)
    recommender_decides(rest("urumqi"), started, "approve")
    send_letter(rest("urumqi"), started)

    assert task(rest("officer"), started, "formal_review")["assignee"] == "officer2"



def active_box(page: str) -> str:
    found = re.search(r'class="active" data-testid="box-(\w+)"', page)
    return found.group(1) if found else ""


def test_an_officer_with_work_only_to_claim_lands_in_the_claim_box(ctx, rest, web, started):
    add_user(ctx, "officer2", "kjt", ["department"])
    to_formal_review(rest, started)

    assert active_box(text(web("officer").get("/tasks"))) == "claimable"
    assert active_box(text(web("officer").get("/tasks?box=todo"))) == "todo"


def test_the_recommender_with_work_lands_in_the_todo_box(rest, web, started):
    submit(rest("cotton"), started)

    page = text(web("urumqi").get("/tasks"))
    assert active_box(page) == "todo"
    assert "共 1 条" in page


def test_the_task_page_names_its_holder_by_name_and_unit_never_by_login(rest, web, started):
    page = text(web("cotton").get(f"/tasks/{task(rest('cotton'), started, 'fill_application')['id']}"))

    holder = re.search(r'data-testid="assignee">([^<]*)<', page).group(1)
    assert holder == "天棉集团申报人（新疆天棉纺织集团有限公司）"
