"""Camunda's execution resource: each running instance and each activity running in it is an
execution, the activity waiting for a message holds its subscription, and triggering that
subscription delivers the message as POST /message does (same senders, same refusals)."""
from __future__ import annotations

from app.models import Organization
from tests.support.flows import deployed, start, tasks
from tests.support.tasklist import add_user

MESSAGE = "flow_payment_received"


def waiting(rest, business_key: str = "XJ-2026-201") -> str:
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    return start(rest("officer"), "flow_message_catch", business_key=business_key)


def listed(api, query: str = "") -> list[dict]:
    response = api.get(f"/execution{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def activity_execution_ids(api, instance_id: str) -> dict[str, str]:
    tree = api.get(f"/process-instance/{instance_id}/activity-instances").get_json()
    return {child["activityId"]: child["executionIds"][0] for child in tree["childActivityInstances"]}


def test_an_instance_and_its_waiting_activity_are_executions_with_the_tree_s_ids(rest):
    instance = waiting(rest)
    officer = rest("officer")
    wait = activity_execution_ids(officer, instance)["wait_payment"]

    found = listed(officer, f"?processInstanceId={instance}")

    assert sorted(e["id"] for e in found) == sorted([instance, wait])
    assert all(e == {"id": e["id"], "processInstanceId": instance, "ended": False, "tenantId": None} for e in found)
    assert officer.get(f"/execution/count?processInstanceId={instance}").get_json() == {"count": 2}
    assert officer.get(f"/execution/{wait}").get_json()["processInstanceId"] == instance
    assert officer.get(f"/execution/{instance}").get_json()["id"] == instance


def test_executions_are_found_by_the_message_they_wait_for_and_by_activity(rest):
    first, second = waiting(rest, "XJ-2026-202"), start(rest("officer"), "flow_message_catch", business_key="XJ-2026-203")
    officer = rest("officer")
    waits = {activity_execution_ids(officer, i)["wait_payment"] for i in (first, second)}

    assert {e["id"] for e in listed(officer, f"?messageEventSubscriptionName={MESSAGE}")} == waits
    assert {e["id"] for e in listed(officer, "?activityId=wait_payment")} == waits
    assert listed(officer, "?messageEventSubscriptionName=other") == []
    narrowed = listed(officer, f"?messageEventSubscriptionName={MESSAGE}&businessKey=XJ-2026-203")
    assert [e["processInstanceId"] for e in narrowed] == [second]
    by_instance = listed(officer, "?activityId=wait_payment&sortBy=instanceId&sortOrder=desc")
    assert [e["processInstanceId"] for e in by_instance] == sorted([first, second], reverse=True)


def test_an_executions_message_subscription_is_camundas_event_subscription(rest):
    instance = waiting(rest)
    officer = rest("officer")
    wait = activity_execution_ids(officer, instance)["wait_payment"]

    response = officer.get(f"/execution/{wait}/messageSubscriptions/{MESSAGE}")

    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("id", "eventType", "eventName", "executionId", "processInstanceId",
                                 "activityId", "tenantId")} == {
        "id": wait, "eventType": "message", "eventName": MESSAGE, "executionId": wait,
        "processInstanceId": instance, "activityId": "wait_payment", "tenantId": None}
    assert body["createdDate"]
    assert officer.get(f"/execution/{wait}/messageSubscriptions/other").status_code == 404
    assert officer.get(f"/execution/{instance}/messageSubscriptions/{MESSAGE}").status_code == 404


def test_triggering_the_subscription_delivers_the_message_with_its_variables(rest):
    instance = waiting(rest)
    officer = rest("officer")
    wait = activity_execution_ids(officer, instance)["wait_payment"]

    response = officer.post(f"/execution/{wait}/messageSubscriptions/{MESSAGE}/trigger",
                            json={"variables": {"paidAmount": {"value": 300, "type": "Long"}}})

    assert response.status_code == 204, response.get_json()
    assert [t["taskDefinitionKey"] for t in tasks(officer, instance)] == ["confirm_payment"]
    paid = officer.get(f"/process-instance/{instance}/variables/paidAmount").get_json()
    assert paid["value"] == 300
    assert officer.get(f"/execution/{wait}").status_code == 404
    again = officer.post(f"/execution/{wait}/messageSubscriptions/{MESSAGE}/trigger", json={})
    assert again.status_code == 404


def test_triggering_asks_what_sending_the_message_asks(rest, ctx):
    instance = waiting(rest)
    wait = activity_execution_ids(rest("officer"), instance)["wait_payment"]
    path = f"/execution/{wait}/messageSubscriptions/{MESSAGE}/trigger"

    assert rest("manager").post(path, json={}).status_code == 403
    assert rest("cotton").post(path, json={}).status_code == 404
    with ctx.db.command() as session:
        session.add(Organization(id="payments", name="自治区财政支付平台", kind="technical_institution"))
    add_user(ctx, "portal", "payments", ["service"])
    assert rest("portal").get(f"/execution/{wait}").status_code == 404
    assert rest("portal").post(path, json={}).status_code == 204
    assert [t["taskDefinitionKey"] for t in tasks(rest("officer"), instance)] == ["confirm_payment"]


def test_executions_are_read_only_where_the_instance_is(rest):
    instance = waiting(rest)
    assert listed(rest("cotton"), f"?processInstanceId={instance}") == []
    assert rest("cotton").get(f"/execution/{instance}").status_code == 404
    assert rest("cotton").get("/execution/count").get_json() == {"count": 0}


def test_execution_query_errors_name_the_parameter(rest):
    officer = rest("officer")
    for query, field in [("incidentId=x", "incidentId"),
                         ("active=true&suspended=true", "suspended"), ("sortBy=activityId&sortOrder=asc", "sortBy"),
                         ("active=maybe", None)]:
        response = officer.get(f"/execution?{query}")
        assert response.status_code == 400, query
        if field:
            assert response.get_json()["errors"][0]["field"] == field, query
    assert officer.get("/execution/count?maxResults=1").status_code == 400


def test_the_query_may_be_posted_in_the_body(rest):
    first, second = waiting(rest, "XJ-2026-211"), start(rest("officer"), "flow_message_catch", business_key="XJ-2026-212")
    officer = rest("officer")
    query = {"messageEventSubscriptionName": MESSAGE, "active": True,
             "sorting": [{"sortBy": "instanceId", "sortOrder": "desc"}]}

    response = officer.post("/execution?maxResults=1", json=query)

    assert response.status_code == 200, response.get_json()
    assert [e["processInstanceId"] for e in response.get_json()] == [max(first, second)]
    counted = officer.post("/execution/count", json={"messageEventSubscriptionName": MESSAGE, "businessKey": "XJ-2026-211"})
    assert counted.get_json() == {"count": 1}


def test_a_bad_posted_query_is_a_400_naming_the_field(rest):
    officer = rest("officer")
    for body, field in [({"foo": 1}, "foo"), ({"active": "true"}, "active"), ({"activityId": 3}, "activityId"),
                        ({"sorting": [{"sortBy": "instanceId"}]}, "sortOrder"),
                        ({"sorting": [{"sortBy": "x", "sortOrder": "asc"}]}, "sortBy"), ({"sorting": {}}, "sorting"),
                        ({"active": True, "suspended": True}, "suspended")]:
        response = officer.post("/execution", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field, body
    sorted_count = officer.post("/execution/count", json={"sorting": [{"sortBy": "definitionKey", "sortOrder": "asc"}]})
    assert sorted_count.get_json() == officer.post("/execution/count", json={}).get_json()
    bad_sort = officer.post("/execution/count", json={"sorting": [{"sortBy": "x", "sortOrder": "asc"}]})
    assert bad_sort.get_json()["errors"][0]["field"] == "sortBy"
    assert officer.post("/execution/count?maxResults=1", json={}).status_code == 400
