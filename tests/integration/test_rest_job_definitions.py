"""Job definitions through /engine-rest, as Camunda's cockpit shows and uses them: each
timer and retried service task of the deployed diagrams, suspended so that its jobs wait
(those there are with includeJobs, and every new one), activated again, and the retries of
its failed jobs set at once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.jobs import deployed, model_files, only_job, start, task_keys

TIMER = "job_boundary_timer:review_deadline:timer"
SERVICE_CALL = "job_service_call:register:service"


@pytest.fixture
def models(rest, service):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn", "job_service_call.bpmn", "job_wait_until.bpmn"))


def suspend(api, path: str, **body):
    return api.put(path, json={"suspended": True, **body})


def test_each_timer_and_retried_service_task_is_a_job_definition_named_as_its_jobs_name_it(rest, models):
    manager = rest("manager")
    found = {d["id"]: d for d in manager.get("/job-definition").get_json()}
    timer = found[TIMER]
    assert (timer["jobType"], timer["jobConfiguration"], timer["suspended"]) == ("timer-transition", "DURATION: P30D",
                                                                                  False)
    assert timer["processDefinitionKey"] == "job_boundary_timer" and timer["overridingJobPriority"] is None
    assert found[SERVICE_CALL]["jobType"] == "async-continuation"
    [waiting] = [d for d in found.values() if d["processDefinitionKey"] == "job_wait_until"]
    assert waiting["jobType"] == "timer-intermediate-transition" and waiting["jobConfiguration"].startswith("DATE: ")
    instance = start(rest("officer"), "job_boundary_timer")["id"]
    job = only_job(rest("officer"), instance)
    assert job["jobDefinitionId"] == TIMER
    assert manager.get(f"/job-definition/{TIMER}").get_json() == timer
    assert timer["processDefinitionId"] == job["processDefinitionId"]
    assert manager.get("/job-definition/count?jobType=timer-transition&processDefinitionKey=job_boundary_timer"
                       ).get_json() == {"count": 1}
    ordered = manager.post("/job-definition?maxResults=2", json={
        "activityIdIn": ["review_deadline", "register"], "sorting": [{"sortBy": "jobDefinitionId", "sortOrder": "desc"}]})
    assert [d["id"] for d in ordered.get_json()] == [SERVICE_CALL, TIMER]


def test_a_suspended_definition_holds_its_jobs_and_every_new_one_until_it_is_activated(rest, ctx, clock, models):
    admin, officer = rest("admin"), rest("officer")
    first = start(officer, "job_boundary_timer")["id"]
    assert suspend(admin, f"/job-definition/{TIMER}/suspended", includeJobs=True).status_code == 204
    assert only_job(admin, first)["suspended"] is True
    second = start(officer, "job_boundary_timer")["id"]
    assert only_job(admin, second)["suspended"] is True, "a new job of a suspended definition waits too"
    assert admin.get(f"/job-definition/{TIMER}").get_json()["suspended"] is True
    clock.advance(timedelta(days=31))
    assert execute_due_jobs(ctx) == 0
    assert admin.put(f"/job-definition/{TIMER}/suspended", json={"suspended": False, "includeJobs": True}
                     ).status_code == 204
    assert execute_due_jobs(ctx) == 2
    assert task_keys(officer, first) == task_keys(officer, second) == ["escalate"]


def test_suspending_without_its_jobs_holds_only_the_new_ones(rest, models):
    admin, officer = rest("admin"), rest("officer")
    running = start(officer, "job_boundary_timer")["id"]
    assert suspend(admin, "/job-definition/suspended", processDefinitionKey="job_boundary_timer").status_code == 204
    assert only_job(admin, running)["suspended"] is False
    assert only_job(admin, start(officer, "job_boundary_timer")["id"])["suspended"] is True
    assert admin.get("/job-definition/count?suspended=true").get_json() == {"count": 1}
    assert admin.get("/job-definition/count?active=true&processDefinitionKey=job_boundary_timer"
                     ).get_json() == {"count": 0}


def test_the_retries_of_a_definitions_failed_jobs_are_set_at_once(rest, ctx, clock, models, service):
    admin, officer = rest("admin"), rest("officer")
    service["fail"] = True
    instances = [start(officer, "job_service_call", {"applicant": name})["id"] for name in ("新疆大学", "塔里木大学")]
    for _ in range(2):
        clock.advance(timedelta(hours=1))
        execute_due_jobs(ctx)
    assert [only_job(admin, i)["retries"] for i in instances] == [0, 0]
    assert admin.put(f"/job-definition/{SERVICE_CALL}/retries", json={"retries": 2}).status_code == 204
    assert [only_job(admin, i)["retries"] for i in instances] == [2, 2]
    assert admin.get("/incident?incidentType=failedJob").get_json() == []


def test_only_operators_suspend_and_bad_requests_are_refused_by_field(rest, client, models):
    admin = rest("admin")
    assert suspend(rest("officer"), f"/job-definition/{TIMER}/suspended").status_code == 403
    assert rest("cotton").get("/job-definition").status_code == 403
    assert admin.get("/job-definition/no:such:timer").status_code == 404
    for path, body, field in (
            (f"/job-definition/{TIMER}/suspended", {"executionDate": "2026-12-31T00:00:00"}, "executionDate"),
            (f"/job-definition/{TIMER}/suspended", {"includeJobs": "yes"}, "includeJobs"),
            ("/job-definition/suspended", {"processDefinitionKey": "job_boundary_timer", "jobDefinitionId": TIMER},
             "processDefinitionKey"),
            (f"/job-definition/{TIMER}/suspended", {"cascade": True}, "cascade")):
        response = suspend(admin, path, **body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field, body
    bad_retries = admin.put(f"/job-definition/{SERVICE_CALL}/retries", json={"retries": -1})
    assert bad_retries.status_code == 400 and bad_retries.get_json()["errors"][0]["field"] == "retries"
    assert rest("officer").put(f"/job-definition/{SERVICE_CALL}/retries", json={"retries": 1}).status_code == 403
    assert admin.get(f"/job-definition/{TIMER}").get_json()["suspended"] is False


def test_resuming_an_instance_leaves_the_jobs_of_a_suspended_definition_suspended(rest, models):
    admin = rest("admin")
    instance = start(rest("officer"), "job_boundary_timer")["id"]
    assert suspend(admin, f"/job-definition/{TIMER}/suspended").status_code == 204
    assert admin.put(f"/process-instance/{instance}/suspended", json={"suspended": True}).status_code == 204
    assert only_job(admin, instance)["suspended"] is True
    assert admin.put(f"/process-instance/{instance}/suspended", json={"suspended": False}).status_code == 204
    assert only_job(admin, instance)["suspended"] is True
    assert admin.put(f"/job-definition/{TIMER}/suspended", json={"suspended": False, "includeJobs": True}
                     ).status_code == 204
    assert only_job(admin, instance)["suspended"] is False
