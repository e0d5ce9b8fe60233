"""An administrator repairs a running case with Camunda 7's operations, each audited with
who, when and the reason: suspend and resume (nothing moves the case meanwhile), move a
token (cancel one activity, start before another), give a job another due date. Nobody
else may."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.clients import basic
from tests.support.jobs import (
    camunda_date, complete, historic_instance, historic_tasks, jobs, only_job, only_task, start, task_keys,
)


def audit_entries(client, action: str) -> list[dict]:
    response = client.get("/api/audit", headers=basic("admin"), query_string={"action": action})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def suspend(api, instance_id: str, suspended: bool = True, **extra):
    return api.put(f"/process-instance/{instance_id}/suspended", json={"suspended": suspended, **extra})


def move(api, instance_id: str, cancel: str, start_before: str, annotation: str = "候选人已调离"):
    return api.post(f"/process-instance/{instance_id}/modification", json={
        "instructions": [{"type": "startBeforeActivity", "activityId": start_before},
                         {"type": "cancel", "activityId": cancel}],
        "annotation": annotation})


def test_a_suspended_instance_refuses_its_tasks_until_it_is_resumed(rest, client, two_steps):
    admin, officer = rest("admin"), rest("officer")
    task = only_task(officer, two_steps)

    assert suspend(admin, two_steps, reason="材料存疑，暂停办理").status_code == 204

    assert admin.get(f"/process-instance/{two_steps}").get_json()["suspended"] is True
    assert only_task(officer, two_steps)["suspended"] is True
    refused = officer.post(f"/task/{task['id']}/unclaim")
    assert refused.status_code == 409
    assert refused.get_json()["type"] == "SuspendedEntityInteractionException"
    assert "已挂起" in refused.get_json()["message"]
    assert complete(officer, task["id"], {"approved": True}).status_code == 409

    assert suspend(admin, two_steps, False, reason="核实无误").status_code == 204
    assert complete(officer, task["id"], {"approved": True}).status_code == 204
    assert task_keys(officer, two_steps) == ["final_review"]
    entries = audit_entries(client, "instance.suspend") + audit_entries(client, "instance.resume")
    assert sorted(e["details"]["reason"] for e in entries) == ["材料存疑，暂停办理", "核实无误"]


def test_a_suspended_instance_keeps_its_timers_until_it_is_resumed(ctx, rest, timed_review):
    admin = rest("admin")
    assert suspend(admin, timed_review).status_code == 204
    assert only_job(admin, timed_review)["suspended"] is True

    ctx.clock.advance(timedelta(days=31))
    assert execute_due_jobs(ctx) == 0
    assert task_keys(admin, timed_review) == ["review"]

    assert suspend(admin, timed_review, False).status_code == 204
    assert execute_due_jobs(ctx) == 1
    assert task_keys(admin, timed_review) == ["escalate"]


def test_a_suspended_job_waits_until_it_is_activated_one_by_one_or_by_definition(ctx, rest, client, timed_review):
    admin = rest("admin")
    job = only_job(admin, timed_review)
    assert admin.put(f"/job/{job['id']}/suspended", json={"suspended": True}).status_code == 204
    assert only_job(admin, timed_review)["suspended"] is True
    assert admin.get(f"/process-instance/{timed_review}").get_json()["suspended"] is False

    ctx.clock.advance(timedelta(days=31))
    assert execute_due_jobs(ctx) == 0
    assert task_keys(admin, timed_review) == ["review"]
    activated = admin.put("/job/suspended", json={"jobDefinitionId": job["jobDefinitionId"], "suspended": False})
    assert activated.status_code == 204
    assert execute_due_jobs(ctx) == 1
    assert task_keys(admin, timed_review) == ["escalate"]
    [entry] = audit_entries(client, "job.activate")
    assert entry["details"]["jobs"] == [job["id"]]


def test_a_job_of_a_suspended_instance_is_activated_only_with_its_instance(rest, timed_review):
    admin = rest("admin")
    job = only_job(admin, timed_review)
    assert suspend(admin, timed_review).status_code == 204
    refused = admin.put(f"/job/{job['id']}/suspended", json={"suspended": False})
    assert refused.status_code == 409 and refused.get_json()["type"] == "SuspendedEntityInteractionException"
    assert admin.put("/job/suspended", json={"processInstanceId": timed_review, "suspended": False}).status_code == 204
    assert only_job(admin, timed_review)["suspended"] is True
    for body, field in (({"suspended": True}, "jobDefinitionId"),
                        ({"suspended": True, "jobDefinitionId": "x"}, "jobDefinitionId"),
                        ({"suspended": "yes", "processInstanceId": timed_review}, "suspended"),
                        ({"suspended": True, "processInstanceId": timed_review, "tenantId": "t"}, "tenantId")):
        response = admin.put("/job/suspended", json=body)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field, body
    assert rest("officer").put(f"/job/{job['id']}/suspended", json={"suspended": True}).status_code == 403
    assert admin.put("/job/nope/suspended", json={"suspended": True}).status_code == 404


def test_suspending_twice_or_an_ended_instance_is_refused(rest, two_steps):
    admin = rest("admin")
    assert suspend(admin, two_steps).status_code == 204
    assert suspend(admin, two_steps).status_code == 409
    assert suspend(admin, two_steps, "yes").status_code == 400
    assert admin.delete(f"/process-instance/{two_steps}").status_code == 204
    assert suspend(admin, two_steps, False).status_code == 404


def test_instances_are_suspended_together_by_definition_key_or_ids_as_camunda_does(rest, client, two_steps):
    admin, officer = rest("admin"), rest("officer")
    others = [start(officer, "job_two_steps")["id"] for _ in range(2)]
    definition_id = admin.get(f"/process-instance/{two_steps}").get_json()["definitionId"]
    assert suspend(admin, others[0]).status_code == 204

    together = admin.put("/process-instance/suspended", json={"processDefinitionKey": "job_two_steps",
                                                              "suspended": True})

    assert together.status_code == 204, together.get_json()
    assert {admin.get(f"/process-instance/{i}").get_json()["suspended"] for i in [two_steps, *others]} == {True}
    assert complete(officer, only_task(officer, two_steps)["id"], {"approved": True}).status_code == 409
    resumed = admin.put("/process-instance/suspended", json={"processInstanceIds": [two_steps], "suspended": False})
    assert resumed.status_code == 204
    assert [admin.get(f"/process-instance/{i}").get_json()["suspended"] for i in [two_steps, *others]] == [
        False, True, True]
    assert admin.put("/process-instance/suspended", json={"processDefinitionId": definition_id,
                                                          "suspended": False}).status_code == 204
    assert complete(officer, only_task(officer, others[1])["id"], {"approved": True}).status_code == 204
    [entry] = [e for e in audit_entries(client, "instance.suspend") if e["target"] != others[0]]
    assert entry["details"]["processInstances"] == sorted([two_steps, *others])

    for body, field in (({"suspended": True}, "processDefinitionId"),
                        ({"suspended": True, "processDefinitionKey": "job_two_steps", "processInstanceIds": []},
                         "processInstanceIds"),
                        ({"suspended": True, "processInstanceIds": "x"}, "processInstanceIds"),
                        ({"suspended": True, "processDefinitionKey": "job_two_steps", "tenantId": "a"}, "tenantId")):
        refused = admin.put("/process-instance/suspended", json=body)
        assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == field, body
    assert admin.put("/process-instance/suspended", json={"processDefinitionKey": "nope",
                                                          "suspended": True}).status_code == 404
    assert rest("officer").put("/process-instance/suspended", json={"processInstanceIds": [two_steps],
                                                                    "suspended": True}).status_code == 403


def test_only_an_administrator_suspends_and_a_refusal_is_audited(rest, client, two_steps):
    assert suspend(rest("officer"), two_steps).status_code == 403
    assert suspend(rest("manager"), two_steps).status_code == 403

    entries = audit_entries(client, "instance.suspend")
    assert sorted((e["userId"], e["success"], e["target"]) for e in entries) == [
        ("manager", False, two_steps), ("officer", False, two_steps)]


def test_moving_a_token_forward_cancels_the_step_and_opens_the_target(rest, client, two_steps):
    admin, officer = rest("admin"), rest("officer")
    first = only_task(officer, two_steps)

    assert move(admin, two_steps, "first_review", "final_review").status_code == 204

    moved = only_task(admin, two_steps)
    assert moved["taskDefinitionKey"] == "final_review"
    assert moved["id"] != first["id"]
    assert historic_tasks(admin, two_steps)["first_review"]["deleteReason"] == "deleted"
    activities = admin.get(f"/history/activity-instance?processInstanceId={two_steps}").get_json()
    first_activity = next(a for a in activities if a["activityId"] == "first_review")
    assert first_activity["canceled"] is True and first_activity["endTime"] is not None
    assert complete(rest("leader"), moved["id"], {"approved": True}).status_code == 204
    assert historic_instance(admin, two_steps)["state"] == "COMPLETED"
    [entry] = audit_entries(client, "instance.modify")
    assert entry["details"] == {"cancel": "first_review", "startBeforeActivity": "final_review",
                                "reason": "候选人已调离"}


def test_moving_a_token_back_reopens_an_earlier_step(rest, two_steps):
    admin, officer = rest("admin"), rest("officer")
    assert complete(officer, only_task(officer, two_steps)["id"], {"approved": True}).status_code == 204

    assert move(admin, two_steps, "final_review", "first_review").status_code == 204

    assert task_keys(officer, two_steps) == ["first_review"]
    assert complete(officer, only_task(officer, two_steps)["id"], {"approved": True}).status_code == 204
    assert task_keys(officer, two_steps) == ["final_review"]


def test_moving_a_token_to_a_timed_step_arms_its_deadline(ctx, rest, timed_review):
    admin = rest("admin")
    assert move(admin, timed_review, "review", "escalate").status_code == 204
    assert task_keys(admin, timed_review) == ["escalate"]
    assert jobs(admin, timed_review) == []

    assert move(admin, timed_review, "escalate", "review").status_code == 204
    assert task_keys(admin, timed_review) == ["review"]
    [deadline] = jobs(admin, timed_review)
    assert deadline["activityId"] == "review_deadline"


@pytest.mark.parametrize("body, field", [
    ({"instructions": [{"type": "cancel", "activityId": "first_review"}]}, "instructions"),
    ({"instructions": [{"type": "cancel", "activityId": "first_review"},
                       {"type": "startAfterActivity", "activityId": "final_review"}]}, "instructions"),
    ({"instructions": [{"type": "cancel"}, {"type": "startBeforeActivity", "activityId": "x"}]},
     "instructions[0].activityId"),
    ({"instructions": "first_review"}, "instructions"),
])
def test_a_modification_outside_one_move_names_the_field(rest, two_steps, body, field):
    response = rest("admin").post(f"/process-instance/{two_steps}/modification", json=body)

    assert response.status_code == 400
    assert field in [e["field"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("cancel, target, said", [
    ("final_review", "first_review", "没有等待中的令牌"),
    ("first_review", "no_such_step", "没有活动 no_such_step"),
    ("first_review", "start", "不能在"),
])
def test_a_move_the_engine_cannot_make_is_refused_and_nothing_changes(rest, two_steps, cancel, target, said):
    admin = rest("admin")
    response = move(admin, two_steps, cancel, target)

    assert response.status_code == 400
    assert said in response.get_json()["message"]
    assert task_keys(admin, two_steps) == ["first_review"]


def test_only_an_administrator_moves_a_token(rest, client, two_steps):
    assert move(rest("officer"), two_steps, "first_review", "final_review").status_code == 403
    assert task_keys(rest("officer"), two_steps) == ["first_review"]
    [entry] = audit_entries(client, "instance.modify")
    assert (entry["userId"], entry["success"]) == ("officer", False)


def test_a_timer_fires_at_the_due_date_an_administrator_gives_it(ctx, rest, client, timed_review):
    admin = rest("admin")
    job = only_job(admin, timed_review)
    due = ctx.clock.now() + timedelta(days=2)

    response = admin.put(f"/job/{job['id']}/duedate", json={"duedate": camunda_date(due), "reason": "提前督办"})

    assert response.status_code == 204, response.get_json()
    assert only_job(admin, timed_review)["dueDate"] == camunda_date(due)
    ctx.clock.advance(timedelta(days=2, seconds=1))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(admin, timed_review) == ["escalate"]
    [entry] = audit_entries(client, "job.duedate")
    assert entry["details"]["reason"] == "提前督办"


def test_a_due_date_that_is_not_a_date_names_the_field_and_others_may_not_set_one(rest, timed_review):
    job = only_job(rest("admin"), timed_review)

    bad = rest("admin").put(f"/job/{job['id']}/duedate", json={"duedate": "下周一"})
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["field"] == "duedate"
    assert rest("officer").put(f"/job/{job['id']}/duedate",
                               json={"duedate": job["dueDate"]}).status_code == 403
