"""A task's identity links: its candidates, assignee and owner in Camunda's shape; department
staff who may act on a task add and remove its candidates (a grant, audited), and the inbox
and the rules follow at once."""
from __future__ import annotations

from tests.support.clients import basic
from tests.support.establishment import deploy_models, formal_review, start_application, task, to_formal_review
from tests.support.tasklist import add_user
from tests.support.jobs import deployed, model_files, only_task, start

KEY = "job_two_steps"


def waiting_task(rest, ctx) -> dict:
    """The first review, waiting in 待认领: two officers may take it, and the leader started it."""
    add_user(ctx, "officer2", "kjt", ["department"])
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    found = only_task(rest("officer"), start(rest("leader"), KEY)["id"])
    assert found["assignee"] is None
    return found


def links(api, task_id: str, query: str = "") -> list[dict]:
    response = api.get(f"/task/{task_id}/identity-links{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def add(api, task_id: str, **link):
    return api.post(f"/task/{task_id}/identity-links", json={"type": "candidate", **link})


def remove(api, task_id: str, **link):
    return api.post(f"/task/{task_id}/identity-links/delete", json={"type": "candidate", **link})


def audit_entries(client, action: str) -> list[dict]:
    return client.get("/api/audit", headers=basic("admin"), query_string={"action": action}).get_json()


def test_a_tasks_links_are_its_candidates_then_its_assignee(ctx, rest):
    found = waiting_task(rest, ctx)
    officer = rest("officer")
    assert links(officer, found["id"]) == [{"userId": None, "groupId": "department", "type": "candidate"}]

    assert officer.post(f"/task/{found['id']}/claim", json={"userId": "officer"}).status_code == 204

    assert links(officer, found["id"]) == [{"userId": "officer", "groupId": None, "type": "assignee"},
                                           {"userId": None, "groupId": "department", "type": "candidate"}]
    assert links(officer, found["id"], "?type=assignee") == [{"userId": "officer", "groupId": None, "type": "assignee"}]
    assert officer.get(f"/task/{found['id']}/identity-links?type=watcher").get_json()["errors"][0]["field"] == "type"
    assert rest("cotton").get(f"/task/{found['id']}/identity-links").status_code == 404


def test_a_candidate_user_added_may_claim_and_one_removed_may_not(ctx, rest, client):
    found = waiting_task(rest, ctx)
    officer, kashgar = rest("officer"), rest("kashgar")

    assert add(officer, found["id"], userId="kashgar").status_code == 204
    assert {"userId": "kashgar", "groupId": None, "type": "candidate"} in links(officer, found["id"])
    assert found["id"] in [t["id"] for t in kashgar.get("/task").get_json()]

    assert remove(officer, found["id"], userId="kashgar").status_code == 204
    assert found["id"] not in [t["id"] for t in kashgar.get("/task").get_json()]
    assert kashgar.post(f"/task/{found['id']}/claim", json={"userId": "kashgar"}).status_code in (403, 404)

    assert add(officer, found["id"], userId="kashgar").status_code == 204
    assert kashgar.post(f"/task/{found['id']}/claim", json={"userId": "kashgar"}).status_code == 204
    assert [e["success"] for e in audit_entries(client, "task.candidate.add")] == [True, True]
    assert [e["details"]["userId"] for e in audit_entries(client, "task.candidate.remove")] == ["kashgar"]


def test_a_candidate_group_added_reaches_its_members_inbox(ctx, rest):
    found = waiting_task(rest, ctx)
    assert add(rest("officer"), found["id"], groupId="recommender:urumqi_gov").status_code == 204
    assert found["id"] in [t["id"] for t in rest("urumqi").get("/task").get_json()]
    assert found["id"] not in [t["id"] for t in rest("kashgar").get("/task").get_json()]
    assert remove(rest("officer"), found["id"], groupId="department").status_code == 204
    assert links(rest("urumqi"), found["id"]) == [
        {"userId": None, "groupId": "recommender:urumqi_gov", "type": "candidate"}]


def test_only_department_staff_who_may_act_change_candidates_and_refusals_are_audited(ctx, rest, client):
    found = waiting_task(rest, ctx)
    assert add(rest("manager"), found["id"], userId="agency").status_code == 403
    assert add(rest("admin"), found["id"], userId="agency").status_code == 403
    assert rest("officer").post(f"/task/{found['id']}/claim", json={"userId": "officer"}).status_code == 204
    refused = add(rest("leader"), found["id"], userId="agency")
    assert refused.status_code == 403

    assert [(e["userId"], e["success"]) for e in audit_entries(client, "task.candidate.add")] == [
        ("leader", False), ("admin", False), ("manager", False)]
    assert links(rest("officer"), found["id"])[1:] == [{"userId": None, "groupId": "department", "type": "candidate"}]


def test_a_bad_link_is_a_400_naming_the_field(ctx, rest):
    found = waiting_task(rest, ctx)
    officer = rest("officer")
    cases = [({"type": "assignee", "userId": "agency"}, "type"), ({"type": "candidate"}, "userId"),
             ({"type": "candidate", "userId": "agency", "groupId": "department"}, "userId"),
             ({"type": "candidate", "groupId": "a,b"}, "groupId"), ({"type": "candidate", "userId": 7}, "userId"),
             ({"type": "candidate", "groupId": "g" * 201}, "groupId")]
    for body, field in cases:
        response = officer.post(f"/task/{found['id']}/identity-links", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field, body
    assert add(officer, found["id"], userId="nobody").status_code == 404
    assert add(officer, "no-such-task", userId="agency").status_code == 404


def test_a_confidential_step_is_offered_only_to_those_who_read_it(ctx, rest):
    deploy_models(ctx)
    officer = rest("officer")
    instance = start_application(rest("cotton"), "SQ-2026-041")
    to_formal_review(rest, instance)
    formal_review(officer, instance, "pass")
    panel = task(officer, instance, "assign_experts")

    assert add(officer, panel["id"], userId="cotton").status_code == 400
    assert add(officer, panel["id"], groupId="lead_unit").status_code == 400
    assert add(officer, panel["id"], userId="agency").status_code == 204
    assert add(officer, panel["id"], groupId="agency").status_code == 204


def test_a_suspended_tasks_candidates_wait_for_its_resumption(ctx, rest):
    found = waiting_task(rest, ctx)
    suspended = rest("admin").put(f"/process-instance/{found['processInstanceId']}/suspended", json={"suspended": True})
    assert suspended.status_code == 204
    refused = add(rest("officer"), found["id"], userId="agency")
    assert refused.status_code == 409 and refused.get_json()["type"] == "SuspendedEntityInteractionException"
