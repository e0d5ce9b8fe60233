"""A pending delegation (委派 not yet handed back) blocks the holder's steps with one 409 and
one message, on the REST API and on the task page alike; the delegate resolves, the owner
completes (as Camunda does)."""
from __future__ import annotations

import pytest

from tests.support.establishment import (
    recommender_decides, send_letter, start_application, submit, task, typed,
)
from tests.support.clients import Api
from tests.support.web import form_data, text

pytestmark = pytest.mark.usefixtures("project_models")

FORMAL_REVIEW = {"formalReviewDecision": "pass", "formalReviewOpinion": "材料齐全，符合组建条件"}


@pytest.fixture
def delegated(rest, web):
    """形式审查 claimed by the officer and delegated to the leader; its task id."""
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    task_id = task(officer, instance_id, "formal_review")["id"]
    assert officer.post(f"/task/{task_id}/claim").status_code == 204
    response = officer.post(f"/task/{task_id}/delegate", json={"userId": "leader", "opinion": "请把关"})
    assert response.status_code == 204, response.get_json()
    return task_id


def complete(client, task_id: str):
    return client.post(f"/task/{task_id}/complete", json={"variables": typed(FORMAL_REVIEW)})


def test_complete_is_a_409_with_one_message_for_the_delegate_and_the_owner(rest, delegated):
    by_delegate, by_owner = complete(rest("leader"), delegated), complete(rest("officer"), delegated)

    assert (by_delegate.status_code, by_owner.status_code) == (409, 409)
    assert by_delegate.get_json()["type"] == "OptimisticLockingException"
    message = by_delegate.get_json()["message"]
    assert by_owner.get_json()["message"] == message
    assert "leader" in message and "officer" in message and "委派" in message


def test_the_task_page_refuses_the_submit_with_the_same_409_and_message(rest, web, delegated):
    message = complete(rest("leader"), delegated).get_json()["message"]
    leader = web("leader")

    page = leader.post(f"/tasks/{delegated}", {"_action": "submit", **form_data(FORMAL_REVIEW)},
                       token_from=f"/tasks/{delegated}")

    assert page.status_code == 409
    assert message.partition(" / ")[0] in text(page)
    assert rest("officer").get(f"/task/{delegated}").get_json()["delegationState"] == "PENDING"


@pytest.mark.parametrize("step", ["unclaim", "assignee", "delegate", "send-back"])
def test_every_step_of_the_holder_waits_with_the_same_409(client, rest, delegated, step):
    message = complete(rest("leader"), delegated).get_json()["message"]
    if step == "send-back":
        response = Api(client, "leader").post(f"/tasks/{delegated}/send-back",
                                              json={"activityId": "fill_application", "opinion": "请补充"})
    else:
        response = rest("leader").post(f"/task/{delegated}/{step}", json={"userId": "officer"})

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["message"] == message


def test_the_delegate_resolves_and_the_owner_completes(rest, delegated):
    resolved = rest("leader").post(f"/task/{delegated}/resolve", json={"variables": typed(FORMAL_REVIEW)})

    assert resolved.status_code == 204, resolved.get_json()
    assert complete(rest("leader"), delegated).status_code == 403
    assert complete(rest("officer"), delegated).status_code == 204
