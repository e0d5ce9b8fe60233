"""Each change of a variable with its value (Camunda's /history/detail), issue 15: from the
start, a completed task, a message and an administrator's change; confidential ones hidden."""
from __future__ import annotations

import pytest

from tests.support.flows import complete_task, deployed, only_task, start


@pytest.fixture
def paid(rest):
    """A payment case of `cotton`: started, paid (message), confirmed (task), amount changed."""
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    officer = rest("officer")
    instance = start(rest("cotton"), "flow_message_catch", business_key="XJ-2026-601", amount=300,
                     averageScore=90)
    rest("admin").put(f"/process-instance/{instance}/variables/amount", json={"value": 320, "type": "Long"})
    officer.post("/message", json={"messageName": "flow_payment_received", "businessKey": "XJ-2026-601",
                                   "processVariables": {"voucher": {"value": "拨-0002"}}})
    task = only_task(officer, instance, "confirm_payment")
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})
    assert complete_task(officer, task["id"], approved=True).status_code == 204
    return instance, task["id"]


def test_every_change_of_a_variable_is_a_detail_with_its_value(rest, paid):
    instance, _ = paid
    details = rest("officer").get(f"/history/detail?processInstanceId={instance}").get_json()

    amount = [(d["value"], d["variableType"], d["revision"], d["initial"]) for d in details
              if d["variableName"] == "amount"]
    assert amount == [(300, "Integer", 1, True), (320, "Long", 2, False)]
    assert {d["variableName"] for d in details} >= {"voucher", "approved", "averageScore"}
    assert all(d["type"] == "variableUpdate" and d["processInstanceId"] == instance for d in details)


def test_details_of_one_task_and_one_by_id(rest, paid):
    instance, task_id = paid
    officer = rest("officer")

    of_task = officer.get(f"/history/detail?taskId={task_id}").get_json()
    one = officer.get(f"/history/detail/{of_task[0]['id']}").get_json()

    assert [d["variableName"] for d in of_task] == ["approved"]
    assert one == of_task[0]
    assert officer.get(f"/history/detail/count?processInstanceId={instance}").get_json()["count"] == len(
        officer.get(f"/history/detail?processInstanceId={instance}").get_json())


def test_the_newest_first_when_asked(rest, paid):
    instance, _ = paid
    details = rest("officer").get(
        f"/history/detail?processInstanceId={instance}&sortBy=time&sortOrder=desc").get_json()

    assert details[0]["variableName"] == "approved"


def test_a_confidential_variable_has_no_history_for_the_applicant(rest, paid):
    instance, _ = paid
    cotton = rest("cotton")

    names = {d["variableName"] for d in cotton.get(f"/history/detail?processInstanceId={instance}").get_json()}

    assert "averageScore" not in names and "amount" in names
    assert rest("xju").get(f"/history/detail?processInstanceId={instance}").get_json() == []


@pytest.mark.parametrize(("query", "field"), [
    ("sortBy=variableName&sortOrder=asc", "sortBy"), ("variableUpdates=false", "variableUpdates"),
    ("formFields=true", "formFields"),
])
def test_what_the_details_cannot_answer_is_a_400_naming_it(rest, paid, query, field):
    response = rest("officer").get(f"/history/detail?{query}")

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field
