"""Who may write: a message correlation is the action it stands for (issue 9, F1), granting
access by 抄送 is itself a permission (F2), and text fields refuse other types (F11)."""
from __future__ import annotations

import pytest

from app.models import Organization
from tests.support.clients import Api
from tests.support.establishment import (
    assign_experts, deploy_models, formal_review, instance_state, recommender_decides,
    send_letter, start_application, submit, task, task_keys, typed, variables,
)
from tests.support.flows import deployed, start
from tests.support.lifecycle import (
    FIRST_EVALUATION, evaluation_started, register_center, submit_materials,
)
from tests.support.tasklist import add_user

WITHDRAWN = "ApplicationWithdrawn"


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


@pytest.fixture
def at_recommender_review(ctx, rest):
    """cotton's application, its recommender_review claimed by urumqi; the instance id."""
    deploy_models(ctx)
    cotton = rest("cotton")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    review = task(rest("urumqi"), instance_id, "recommender_review")
    assert rest("urumqi").post(f"/task/{review['id']}/claim").status_code == 204
    return instance_id


@pytest.fixture
def at_expert_review(ctx, rest):
    """cotton's application while expert4, expert5 and expert6 review it; the instance id."""
    deploy_models(ctx)
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"]).status_code == 204
    return instance_id


def withdrawal(client, instance_id: str, withdrawn_by: str = "cotton"):
    return client.post("/message", json={
        "messageName": WITHDRAWN, "processInstanceId": instance_id,
        "processVariables": typed({"withdrawReason": "单位主动撤回申请", "withdrawnBy": withdrawn_by}),
    })


# F1: a message is the action it stands for ------------------------------------------------

def test_recommender_cannot_withdraw_application_by_message(rest, at_recommender_review):
    urumqi = rest("urumqi")

    response = withdrawal(urumqi, at_recommender_review)

    assert response.status_code == 403, response.get_json()
    assert instance_state(rest("officer"), at_recommender_review) == "ACTIVE"
    assert task_keys(urumqi, at_recommender_review) == ["recommender_review"]


@pytest.mark.parametrize("user", ["manager", "agency", "officer"])
def test_department_side_cannot_withdraw_the_applicants_application_by_message(rest, at_recommender_review, user):
    response = withdrawal(rest(user), at_recommender_review)

    assert response.status_code == 403, response.get_json()
    assert instance_state(rest("officer"), at_recommender_review) == "ACTIVE"


def test_an_assigned_expert_cannot_withdraw_the_application_they_review(rest, at_expert_review):
    response = withdrawal(rest("expert4"), at_expert_review)

    assert response.status_code == 403, response.get_json()
    assert instance_state(rest("officer"), at_expert_review) == "ACTIVE"
    assert task_keys(rest("expert4"), at_expert_review) == ["expert_review"]


def test_a_unit_that_cannot_see_the_application_gets_not_found(rest, at_recommender_review):
    response = withdrawal(rest("energy"), at_recommender_review)

    assert response.status_code == 404, response.get_json()
    assert instance_state(rest("officer"), at_recommender_review) == "ACTIVE"


def test_applicant_withdraws_by_message_and_is_recorded_as_the_withdrawer(rest, at_expert_review):
    cotton = rest("cotton")

    response = withdrawal(cotton, at_expert_review, withdrawn_by="urumqi")

    assert response.status_code == 204, response.get_json()
    assert instance_state(cotton, at_expert_review) == "COMPLETED"
    shown = variables(cotton, at_expert_review)
    assert (shown["withdrawn"], shown["withdrawnBy"]) == (True, "cotton")


def test_withdrawal_through_the_tasklist_api_keeps_its_own_rule(rest, api, at_recommender_review):
    assert api("urumqi").post(f"/instances/{at_recommender_review}/withdraw", json={}).status_code == 403
    assert api("cotton").post(f"/instances/{at_recommender_review}/withdraw",
                              json={"reason": "调整建设方案"}).status_code == 204
    assert variables(rest("cotton"), at_recommender_review)["withdrawnBy"] == "cotton"


@pytest.fixture
def waiting_for_payment(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    return start(rest("officer"), "flow_message_catch", business_key="XJ-2026-101", amount=300)


def payment(client, **extra):
    return client.post("/message", json={
        "messageName": "flow_payment_received", "businessKey": "XJ-2026-101",
        "processVariables": typed({"paid_amount": 300}), **extra,
    })


def test_a_message_of_a_deployed_model_is_not_sent_by_a_read_only_manager(rest, waiting_for_payment):
    assert payment(rest("manager")).status_code == 403
    assert payment(rest("agency")).status_code == 403
    assert task_keys(rest("officer"), waiting_for_payment) == []


def test_a_message_of_a_deployed_model_is_sent_by_department_staff(rest, waiting_for_payment):
    assert payment(rest("officer")).status_code == 204
    assert task_keys(rest("officer"), waiting_for_payment) == ["confirm_payment"]


def service_account(ctx, user_id: str) -> None:
    """A machine client of an organization of its own (a payment platform, a portal)."""
    with ctx.db.command() as session:
        session.add(Organization(id="payments", name="自治区财政支付平台", kind="technical_institution"))
    add_user(ctx, user_id, "payments", ["service"])


def test_a_service_account_sends_messages_without_reading_the_instance(ctx, rest, waiting_for_payment):
    service_account(ctx, "portal")
    portal = rest("portal")
    assert portal.get(f"/process-instance/{waiting_for_payment}").status_code == 404

    assert payment(portal).status_code == 204

    assert task_keys(rest("officer"), waiting_for_payment) == ["confirm_payment"]


@pytest.fixture
def evaluation_open(ctx, rest, clock):
    """cotton's center in its first evaluation, its materials to submit."""
    deploy_models(ctx)
    register_center(rest)
    return evaluation_started(clock, rest)


@pytest.fixture
def evaluation_under_review(rest, evaluation_open):
    """The evaluation with its materials submitted, urumqi to review them."""
    assert submit_materials(rest("cotton"), evaluation_open).status_code == 204
    return evaluation_open


def evaluation_withdrawal(client, withdrawn_by: str = "cotton"):
    return client.post("/message", json={
        "messageName": "EvaluationWithdrawn", "businessKey": FIRST_EVALUATION,
        "processVariables": typed({"withdrawReason": "退出评估", "withdrawnBy": withdrawn_by}),
    })


def test_r25_the_supervising_unit_cannot_withdraw_the_center_from_its_evaluation(rest, evaluation_under_review):
    urumqi = rest("urumqi")

    assert evaluation_withdrawal(urumqi).status_code == 403
    assert evaluation_withdrawal(rest("manager")).status_code == 403

    assert task_keys(urumqi, evaluation_under_review) == ["authority_review_materials"]


def test_r25_the_center_withdraws_from_its_evaluation_by_message_as_itself(rest, evaluation_under_review):
    response = evaluation_withdrawal(rest("cotton"), withdrawn_by="officer")

    assert response.status_code == 204, response.get_json()
    shown = variables(rest("officer"), evaluation_under_review)
    assert (shown["delistReason"], shown["withdrawnBy"]) == ("withdrew", "cotton")


# F2: 抄送 is a permission, and so is whom to -----------------------------------------------

def test_recommender_cannot_copy_the_application_to_anyone(rest, api, at_recommender_review):
    response = api("urumqi").post(f"/instances/{at_recommender_review}/cc",
                                  json={"userIds": ["energy", "xju", "gxt"]})

    assert response.status_code == 403, response.get_json()
    for outsider in ("energy", "xju", "gxt"):
        assert rest(outsider).get(f"/process-instance/{at_recommender_review}").status_code == 404


@pytest.mark.parametrize("user", ["manager", "agency"])
def test_read_only_department_side_cannot_copy_the_application(api, at_recommender_review, user):
    response = api(user).post(f"/instances/{at_recommender_review}/cc", json={"userIds": ["leader"]})

    assert response.status_code == 403, response.get_json()


def test_applicant_cannot_copy_to_another_applicant_an_expert_or_another_unit(rest, api, at_recommender_review):
    response = api("cotton").post(f"/instances/{at_recommender_review}/cc",
                                  json={"userIds": ["energy", "expert4", "kashgar", "leader"]})

    assert response.status_code == 400, response.get_json()
    errors = response.get_json()["errors"]
    assert {e["field"] for e in errors} == {"userIds"}
    named = " ".join(e["message"] for e in errors)
    assert all(user in named for user in ("energy", "expert4", "kashgar")) and "leader" not in named
    assert rest("energy").get(f"/process-instance/{at_recommender_review}").status_code == 404


def test_applicant_copies_its_recommender_a_colleague_and_the_department(ctx, rest, api, at_expert_review):
    add_user(ctx, "cotton_finance", "tianmian", [])
    response = api("cotton").post(f"/instances/{at_expert_review}/cc",
                                  json={"userIds": ["urumqi", "cotton_finance", "leader"]})

    assert (response.status_code, response.get_json()) == (
        200, {"added": ["urumqi", "cotton_finance", "leader"]})
    assert rest("urumqi").get(f"/process-instance/{at_expert_review}").status_code == 200
    assert rest("cotton_finance").get(f"/process-instance/{at_expert_review}").status_code == 200


def test_a_copied_in_reader_cannot_copy_the_case_on(ctx, rest, api, at_expert_review):
    add_user(ctx, "cotton_finance", "tianmian", [])
    assert api("cotton").post(f"/instances/{at_expert_review}/cc",
                              json={"userIds": ["urumqi", "cotton_finance"]}).status_code == 200

    for reader in ("urumqi", "cotton_finance"):
        response = api(reader).post(f"/instances/{at_expert_review}/cc", json={"userIds": ["leader"]})
        assert response.status_code == 403, reader


def test_department_staff_copy_to_the_supervising_unit(rest, api, at_expert_review):
    response = api("officer").post(f"/instances/{at_expert_review}/cc", json={"userIds": ["urumqi"]})

    assert (response.status_code, response.get_json()) == (200, {"added": ["urumqi"]})


def test_the_center_copies_its_evaluation_to_its_supervising_unit_only(ctx, rest, api, evaluation_open):
    add_user(ctx, "urumqi2", "urumqi_gov", ["recommender"])
    cotton = api("cotton")

    assert cotton.post(f"/instances/{evaluation_open}/cc", json={"userIds": ["urumqi2"]}).status_code == 200
    refused = cotton.post(f"/instances/{evaluation_open}/cc", json={"userIds": ["gxt"]})
    assert refused.status_code == 400 and "gxt" in refused.get_json()["errors"][0]["message"]


# F11: text fields take text ----------------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("messageName", 5), ("messageName", ["ApplicationWithdrawn"]), ("businessKey", 2026),
    ("processInstanceId", {"id": "x"}), ("all", "yes"), ("resultEnabled", 1),
])
def test_a_message_field_of_the_wrong_type_is_a_bad_request_naming_it(rest, field, value):
    body = {"messageName": WITHDRAWN, "businessKey": "SQ-2026-001", field: value}

    response = rest("cotton").post("/message", json=body)

    assert response.status_code == 400, response.get_json()
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_a_reason_that_is_not_text_is_a_bad_request_naming_it(api, at_recommender_review):
    response = api("cotton").post(f"/instances/{at_recommender_review}/withdraw", json={"reason": 42})

    assert response.status_code == 400, response.get_json()
    assert [e["field"] for e in response.get_json()["errors"]] == ["reason"]


def test_an_urge_message_that_is_not_text_is_a_bad_request_naming_it(rest, api, at_recommender_review):
    review = task(rest("urumqi"), at_recommender_review, "recommender_review")

    response = api("cotton").post(f"/tasks/{review['id']}/urge", json={"message": {"text": "快"}})

    assert response.status_code == 400, response.get_json()
    assert [e["field"] for e in response.get_json()["errors"]] == ["message"]


def test_a_copy_note_or_an_opinion_that_is_not_text_is_a_bad_request_naming_it(rest, api, at_recommender_review):
    cc = api("cotton").post(f"/instances/{at_recommender_review}/cc", json={"userIds": ["leader"], "note": 1})
    review = task(rest("urumqi"), at_recommender_review, "recommender_review")
    delegated = rest("urumqi").post(f"/task/{review['id']}/delegate", json={"userId": "agency", "opinion": [1]})

    assert [e["field"] for e in cc.get_json()["errors"]] == ["note"]
    assert [e["field"] for e in delegated.get_json()["errors"]] == ["opinion"]
