"""The historic job log through /engine-rest, as Camunda's history shows it: a timer's job
created when it is armed and successful when the executor fires it, or deleted when its
step ends first; a failing service task's retry job created with its first failure, then
each failure of the executor, with the stacktrace kept."""
from __future__ import annotations

from datetime import timedelta


from app.platform.jobs import execute_due_jobs, worker_id
from tests.support.jobs import complete, deployed, model_files, only_job, only_task, start
from tests.support.logs import kinds, log_of

LOG = "/history/job-log"


def test_a_boundary_timer_fired_by_the_executor_is_logged_created_then_successful(rest, ctx, clock):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    officer = rest("officer")
    instance = start(officer, "job_boundary_timer")["id"]
    job = only_job(officer, instance)
    clock.advance(timedelta(days=31))
    assert execute_due_jobs(ctx) == 1
    created, fired = log_of(officer, LOG, instance)
    assert kinds([created, fired]) == ["creationLog", "successLog"]
    assert created["jobId"] == fired["jobId"] == job["id"]
    assert (created["activityId"], created["jobDueDate"], created["jobRetries"]) == (
        "review_deadline", job["dueDate"], 3)
    assert created["jobDefinitionType"] == "timer-transition" and created["hostname"] is None
    assert created["jobDefinitionId"] == job["jobDefinitionId"]
    assert fired["hostname"] == worker_id() and fired["jobExceptionMessage"] is None


def test_a_timer_whose_step_ends_first_is_logged_deleted(rest, clock):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    officer = rest("officer")
    instance = start(officer, "job_boundary_timer")["id"]
    review = only_task(officer, instance, "review")
    clock.advance(timedelta(days=1))
    assert complete(officer, review["id"], {"approved": True}).status_code == 204
    created, deleted = log_of(officer, LOG, instance)
    assert kinds([created, deleted]) == ["creationLog", "deletionLog"]
    assert deleted["jobId"] == created["jobId"] and deleted["jobDueDate"] == created["jobDueDate"]
    assert officer.get(f"{LOG}/count?deletionLog=true&processInstanceId={instance}").get_json() == {"count": 1}


def test_an_instance_deleted_while_its_timer_waits_logs_the_timer_deleted(rest, clock):
    deployed(rest("analyst"), model_files("job_wait_until.bpmn"))
    officer = rest("officer")
    instance = start(officer, "job_wait_until")["id"]
    clock.advance(timedelta(minutes=1))
    assert rest("admin").delete(f"/process-instance/{instance}").status_code == 204
    assert kinds(log_of(rest("admin"), LOG, instance)) == ["creationLog", "deletionLog"]
    assert log_of(rest("admin"), LOG, instance)[0]["jobDefinitionType"] == "timer-intermediate-transition"


def test_each_failure_of_a_service_task_is_logged_with_its_stacktrace(rest, ctx, clock, service):
    deployed(rest("analyst"), model_files("job_service_call.bpmn"))
    officer = rest("officer")
    service["fail"] = True
    instance = start(officer, "job_service_call", {"applicant": "新疆大学"})["id"]
    clock.advance(timedelta(seconds=10))
    assert execute_due_jobs(ctx) == 1
    entries = log_of(officer, LOG, instance)
    # The job is created with the first failure, in one command: at one instant.
    assert sorted(kinds(entries[:2])) == ["creationLog", "failureLog"] and kinds(entries[2:]) == ["failureLog"]
    [created], [first] = ([e for e in entries[:2] if e[kind]] for kind in ("creationLog", "failureLog"))
    second = entries[2]
    assert (first["jobRetries"], second["jobRetries"]) == (2, 1)
    assert second["jobExceptionMessage"] == "RuntimeError: 登记系统不可用 / registry unavailable"
    assert (second["failedActivityId"], second["hostname"]) == ("register", worker_id())
    assert second["jobDefinitionType"] == "async-continuation" and created["failedActivityId"] is None
    stacktrace = officer.get(f"{LOG}/{second['id']}/stacktrace")
    assert stacktrace.status_code == 200 and stacktrace.mimetype == "text/plain"
    assert stacktrace.get_data(as_text=True).startswith("RuntimeError: 登记系统不可用")
    assert "Traceback" in stacktrace.get_data(as_text=True)
    service["fail"] = False
    clock.advance(timedelta(minutes=5))
    assert execute_due_jobs(ctx) == 1
    assert kinds(log_of(officer, LOG, instance))[-1] == "successLog"
    failures = officer.post(LOG, json={"processInstanceId": instance, "failureLog": True,
                                       "sorting": [{"sortBy": "jobRetries", "sortOrder": "asc"}]})
    assert [e["jobRetries"] for e in failures.get_json()] == [1, 2]
    assert officer.post(f"{LOG}/count", json={"failedActivityIdIn": ["register"]}).get_json() == {"count": 2}
    assert officer.get(f"{LOG}/{second['id']}").get_json() == second


def test_bad_queries_unknown_entries_and_unreadable_instances_are_refused(rest):
    deployed(rest("analyst"), model_files("job_wait_until.bpmn"))
    instance = start(rest("officer"), "job_wait_until")["id"]
    officer = rest("officer")
    for path, field in ((f"{LOG}?sortBy=jobId", "sortOrder"), (f"{LOG}?sortBy=foo&sortOrder=asc", "sortBy"),
                        (f"{LOG}?jobDefinitionType=timer", "jobDefinitionType"),
                        (f"{LOG}/count?jobPriorityLowerThanOrEquals=x", "jobPriorityLowerThanOrEquals")):
        response = officer.get(path)
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["field"] == field, path
    assert officer.get(f"{LOG}/no-such-entry").status_code == 404
    assert officer.get(f"{LOG}/no-such-entry/stacktrace").status_code == 404
    assert officer.get(f"{LOG}/count?jobPriorityHigherThanOrEquals=1").get_json() == {"count": 0}
    [entry] = log_of(officer, LOG, instance)
    assert rest("cotton").get(f"{LOG}?processInstanceId={instance}").get_json() == []
    assert rest("cotton").get(f"{LOG}/{entry['id']}").status_code == 404


def test_a_cascade_deployment_deletion_takes_the_log_with_its_instances(rest):
    deployment = deployed(rest("analyst"), model_files("job_wait_until.bpmn"))
    instance = start(rest("officer"), "job_wait_until")["id"]
    assert len(log_of(rest("admin"), LOG, instance)) == 1
    assert rest("admin").delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 204
    assert log_of(rest("admin"), LOG, instance) == []
