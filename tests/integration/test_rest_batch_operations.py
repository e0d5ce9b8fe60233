"""Camunda's asynchronous operations on many jobs or instances: each is done in its own
request, which answers a batch already done; one that cannot be done in full changes
nothing."""
from __future__ import annotations

import pytest

from tests.support.jobs import camunda_date, deployed, jobs, model_files, only_job, start, task_keys


@pytest.fixture
def failing(rest, service):
    """Two instances whose service call failed: each waits on its retry job."""
    service["fail"] = True
    deployed(rest("analyst"), model_files("job_service_call.bpmn"))
    return [start(rest("officer"), "job_service_call", {"applicant": name})["id"] for name in ("新疆大学", "石河子大学")]


@pytest.fixture
def reviews(rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    return [start(rest("officer"), "job_two_steps", business_key=f"CASE-{n}")["id"] for n in (1, 2)]


def done(response, batch_type: str, invocations: int) -> dict:
    assert response.status_code == 200, response.get_json()
    found = response.get_json()
    assert (found["type"], found["invocationsPerBatchJob"], found["createUserId"]) == (batch_type, invocations, "admin")
    assert found["startTime"] == found["executionStartTime"] and found["jobsCreated"] == 1
    return found


def test_job_retries_by_id_by_query_and_by_instance(rest, clock, failing):
    admin = rest("admin")
    job_ids = [only_job(admin, instance)["id"] for instance in failing]
    due = clock.now().replace(microsecond=0)
    done(admin.post("/job/retries", json={"jobIds": job_ids[:1], "retries": 5, "dueDate": camunda_date(due)}),
         "set-job-retries", 1)
    assert (only_job(admin, failing[0])["retries"], only_job(admin, failing[0])["dueDate"]) == (5, camunda_date(due))
    done(admin.post("/job/retries", json={"jobQuery": {"processDefinitionKey": "job_service_call"}, "retries": 4}),
         "set-job-retries", 2)
    assert [only_job(admin, instance)["retries"] for instance in failing] == [4, 4]
    done(admin.post("/process-instance/job-retries", json={"processInstanceIds": failing[1:], "retries": 0}),
         "set-job-retries", 1)
    assert [only_job(admin, instance)["retries"] for instance in failing] == [4, 0]
    entries = admin.get("/history/user-operation?operationType=SetJobRetries").get_json()
    assert len(entries) == 4 and {e["jobId"] for e in entries} == set(job_ids)


def test_job_retries_are_for_administrators_and_bad_bodies_change_nothing(rest, failing):
    admin, job_id = rest("admin"), only_job(rest("admin"), failing[0])["id"]
    assert rest("officer").post("/job/retries", json={"jobIds": [job_id], "retries": 1}).status_code == 403
    for body, status, field in (({"jobIds": [job_id], "retries": -1}, 400, "retries"),
                                ({"jobIds": [job_id], "retries": 1, "dueDate": "tomorrow"}, 400, "dueDate"),
                                ({"jobIds": [], "retries": 1}, 400, "jobIds"),
                                ({"jobIds": "all", "retries": 1}, 400, "jobIds"),
                                ({"jobIds": [job_id, "no-such-job"], "retries": 1}, 404, None),
                                ({"jobQuery": {"colour": "red"}, "retries": 1}, 400, "colour"),
                                ({"jobIds": [job_id], "retries": 1, "historicProcessInstanceQuery": {}}, 400,
                                 "historicProcessInstanceQuery")):
        response = admin.post("/job/retries", json=body)
        assert response.status_code == status, body
        if field is not None:
            assert response.get_json()["errors"][0]["field"] == field, body
    assert only_job(admin, failing[0])["retries"] == 2


def test_instances_suspended_and_resumed_by_a_query(rest, reviews):
    admin = rest("admin")
    query = {"processInstanceQuery": {"processDefinitionKey": "job_two_steps"}}
    done(admin.post("/process-instance/suspended-async", json={**query, "suspended": True}),
         "instance-update-suspension-state", 2)
    assert [admin.get(f"/process-instance/{i}").get_json()["suspended"] for i in reviews] == [True, True]
    done(admin.post("/process-instance/suspended-async", json={"processInstanceIds": reviews[:1], "suspended": False}),
         "instance-update-suspension-state", 1)
    assert [admin.get(f"/process-instance/{i}").get_json()["suspended"] for i in reviews] == [False, True]
    assert rest("officer").post("/process-instance/suspended-async",
                                json={**query, "suspended": False}).status_code == 403
    nothing = admin.post("/process-instance/suspended-async", json={"processInstanceIds": [], "suspended": True})
    assert nothing.status_code == 400 and nothing.get_json()["errors"][0]["field"] == "processInstanceIds"


def test_instances_deleted_together_or_not_at_all(rest, reviews):
    admin = rest("admin")
    refused = admin.post("/process-instance/delete", json={"processInstanceIds": [*reviews, "no-such-instance"]})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "processInstanceIds"
    assert [task_keys(admin, i) for i in reviews] == [["first_review"], ["first_review"]]
    response = admin.post("/process-instance/delete", json={
        "processInstanceIds": [*reviews, "no-such-instance"], "failIfNotExists": False, "deleteReason": "重复申报"})
    done(response, "instance-deletion", 2)
    ended = [admin.get(f"/history/process-instance/{i}").get_json() for i in reviews]
    assert {(e["state"], e["deleteReason"]) for e in ended} == {("EXTERNALLY_TERMINATED", "重复申报")}
    assert admin.post("/process-instance/delete", json={"processInstanceIds": reviews,
                                                        "skipSubprocesses": "no"}).status_code == 400


def test_one_instance_modified_answers_a_done_batch(rest, reviews):
    admin = rest("admin")
    response = admin.post(f"/process-instance/{reviews[0]}/modification-async", json={"instructions": [
        {"type": "cancel", "activityId": "first_review"}, {"type": "startBeforeActivity", "activityId": "final_review"}],
        "annotation": "补正后直接终审"})
    done(response, "process-instance-modification", 1)
    assert task_keys(admin, reviews[0]) == ["final_review"] and task_keys(admin, reviews[1]) == ["first_review"]
    assert jobs(admin, reviews[0]) == []
    wrong = admin.post(f"/process-instance/{reviews[1]}/modification-async", json={"instructions": []})
    assert wrong.status_code == 400 and wrong.get_json()["errors"][0]["field"] == "instructions"


def test_each_batch_done_is_in_the_batch_history_and_only_administrators_read_it(rest, reviews):
    admin = rest("admin")
    suspended = done(admin.post("/process-instance/suspended-async", json={
        "processInstanceIds": reviews, "suspended": True}), "instance-update-suspension-state", 2)
    deleted = done(admin.post("/process-instance/delete", json={"processInstanceIds": reviews[:1]}),
                   "instance-deletion", 1)
    kept = admin.get(f"/history/batch/{suspended['id']}").get_json()
    assert (kept["type"], kept["invocationsPerBatchJob"], kept["createUserId"]) == (
        "instance-update-suspension-state", 2, "admin")
    assert kept["startTime"] == suspended["startTime"] and kept["endTime"] is not None
    assert [b["id"] for b in admin.get("/history/batch?type=instance-deletion").get_json()] == [deleted["id"]]
    assert admin.get("/history/batch/count?completed=true").get_json() == {"count": 2}
    assert admin.get("/history/batch/count?completed=false").get_json() == {"count": 0}
    assert admin.get("/history/batch/no-such-batch").status_code == 404
    assert admin.get("/history/batch?sortBy=tenantId&sortOrder=asc").status_code == 400
    assert rest("manager").get("/history/batch").status_code == 403
    refused = rest("manager").post("/process-instance/suspended-async", json={
        "processInstanceIds": reviews[1:], "suspended": False})
    assert refused.status_code == 403 and admin.get("/history/batch/count").get_json() == {"count": 2}
