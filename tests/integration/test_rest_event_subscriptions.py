"""Camunda's event subscriptions: the messages and signals running executions wait for,
with the ids the execution resource and the activity tree use, read as the instance is."""
from __future__ import annotations

from tests.support.flows import deployed as flow_deployed, start as flow_start
from tests.support.jobs import deployed, model_files, start


def waiting_for_both(rest) -> tuple[str, str]:
    """An instance waiting for a message, and one waiting for a signal."""
    flow_deployed(rest("analyst"), "flow_message_catch.bpmn")
    deployed(rest("analyst"), model_files("signal_catch.bpmn"), "signals")
    return (flow_start(rest("officer"), "flow_message_catch", business_key="XJ-2026-301"),
            start(rest("officer"), "signal_catch")["id"])


def listed(api, query: str = "") -> list[dict]:
    response = api.get(f"/event-subscription{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_message_and_signal_waits_are_listed_with_their_execution_ids(rest):
    by_message, by_signal = waiting_for_both(rest)
    officer = rest("officer")

    found = {s["eventType"]: s for s in listed(officer)}

    assert {k: found["message"][k] for k in ("eventName", "processInstanceId", "activityId", "tenantId")} == {
        "eventName": "flow_payment_received", "processInstanceId": by_message, "activityId": "wait_payment",
        "tenantId": None}
    assert {k: found["signal"][k] for k in ("eventName", "processInstanceId", "activityId")} == {
        "eventName": "PolicyChanged", "processInstanceId": by_signal, "activityId": "wait_policy"}
    for subscription in found.values():
        assert subscription["executionId"] == subscription["id"] and subscription["createdDate"]
        assert officer.get(f"/execution/{subscription['id']}").get_json()["processInstanceId"] == \
            subscription["processInstanceId"]
    assert officer.get("/event-subscription/count").get_json() == {"count": 2}


def test_subscriptions_are_filtered_by_camundas_parameters(rest):
    by_message, by_signal = waiting_for_both(rest)
    officer = rest("officer")
    assert [s["processInstanceId"] for s in listed(officer, "?eventType=signal")] == [by_signal]
    assert [s["processInstanceId"] for s in listed(officer, "?eventType=message")] == [by_message]
    assert [s["eventType"] for s in listed(officer, "?eventName=PolicyChanged")] == ["signal"]
    assert listed(officer, f"?processInstanceId={by_message}&eventType=signal") == []
    [one] = listed(officer, "?activityId=wait_payment")
    assert [s["id"] for s in listed(officer, f"?executionId={one['id']}")] == [one["id"]]
    assert [s["id"] for s in listed(officer, f"?eventSubscriptionId={one['id']}")] == [one["id"]]
    assert officer.get("/event-subscription/count?eventType=signal").get_json() == {"count": 1}
    for query, field in [("eventType=compensate", "eventType"), ("tenantIdIn=a", "tenantIdIn"),
                         ("sortBy=eventName&sortOrder=asc", "sortBy")]:
        response = officer.get(f"/event-subscription?{query}")
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field, query


def test_a_subscription_is_read_only_where_its_instance_is(rest):
    waiting_for_both(rest)
    assert listed(rest("cotton")) == []
    assert rest("cotton").get("/event-subscription/count").get_json() == {"count": 0}


def test_a_caught_wait_is_no_longer_listed(rest):
    by_message, by_signal = waiting_for_both(rest)
    officer = rest("officer")
    assert officer.post("/signal", json={"name": "PolicyChanged"}).status_code == 204
    assert [(s["eventName"], s["activityId"]) for s in listed(officer, f"?processInstanceId={by_signal}")] == [
        ("ReviewsFrozen", "frozen")]
    assert [s["processInstanceId"] for s in listed(officer, "?eventType=message")] == [by_message]
