"""The historic external task log through /engine-rest, as Camunda's history shows it: each
external task's creation, every failure its worker reported, its success, or its deletion
when it ended otherwise (a BPMN error caught on the task, a token moved off it, its instance
deleted)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.jobs import deployed, model_files, start
from tests.support.logs import kinds, log_of

TOPIC = "ext_payment"
LOG = "/history/external-task-log"


@pytest.fixture
def worker(rest):
    deployed(rest("analyst"), model_files("ext_payment.bpmn", "ext_notice.bpmn"))
    return rest("worker")


def payment(rest) -> str:
    return start(rest("officer"), "ext_payment")["id"]


def fetch_one(worker, worker_id="w1") -> dict:
    response = worker.post("/external-task/fetchAndLock", json={
        "workerId": worker_id, "maxTasks": 1, "topics": [{"topicName": TOPIC, "lockDuration": 10_000}]})
    assert response.status_code == 200, response.get_json()
    [task] = response.get_json()
    return task


def test_a_task_completed_by_its_worker_is_logged_created_then_successful(rest, worker, clock):
    instance = payment(rest)
    task = fetch_one(worker)
    clock.advance(timedelta(seconds=5))
    assert worker.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1"}).status_code == 204
    created, succeeded = log_of(worker, LOG, instance)
    assert kinds([created, succeeded]) == ["creationLog", "successLog"]
    assert created["externalTaskId"] == succeeded["externalTaskId"] == task["id"]
    assert (created["topicName"], created["activityId"], created["workerId"]) == (TOPIC, "pay", None)
    assert (succeeded["workerId"], succeeded["processDefinitionKey"]) == ("w1", "ext_payment")
    assert succeeded["executionId"] == succeeded["activityInstanceId"] == task["id"]
    assert succeeded["timestamp"] > created["timestamp"] and succeeded["tenantId"] is None


def test_each_failure_is_logged_with_its_retries_message_and_details(rest, worker, clock):
    instance = payment(rest)
    task = fetch_one(worker)
    worker.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w1", "errorMessage": "财务系统超时", "errorDetails": "Timeout after 30s\n at pay()",
        "retries": 1, "retryTimeout": 0})
    fetch_one(worker, "w2")
    worker.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w2", "errorMessage": "财务系统拒绝连接", "retries": 0})
    failures = worker.get(f"{LOG}?failureLog=true&processInstanceId={instance}&sortBy=retries&sortOrder=desc")
    first, second = failures.get_json()
    assert (first["retries"], first["errorMessage"], first["workerId"]) == (1, "财务系统超时", "w1")
    assert (second["retries"], second["errorMessage"], second["workerId"]) == (0, "财务系统拒绝连接", "w2")
    details = worker.get(f"{LOG}/{first['id']}/error-details")
    assert details.status_code == 200 and details.mimetype == "text/plain"
    assert details.get_data(as_text=True) == "Timeout after 30s\n at pay()"
    assert worker.get(f"{LOG}/{first['id']}").get_json() == first
    assert worker.get(f"{LOG}/count?failureLog=true&processInstanceId={instance}").get_json() == {"count": 2}


def test_a_bpmn_error_a_moved_token_and_a_deleted_instance_log_a_deletion(rest, worker, clock):
    caught = payment(rest)
    task = fetch_one(worker)
    clock.advance(timedelta(seconds=1))
    assert worker.post(f"/external-task/{task['id']}/bpmnError", json={
        "workerId": "w1", "errorCode": "PAYMENT_DECLINED"}).status_code == 204
    assert kinds(log_of(worker, LOG, caught)) == ["creationLog", "deletionLog"]
    moved = payment(rest)
    clock.advance(timedelta(seconds=1))
    assert rest("admin").post(f"/process-instance/{moved}/modification", json={"instructions": [
        {"type": "cancel", "activityId": "pay"}, {"type": "startBeforeActivity", "activityId": "check"}],
    }).status_code == 204
    assert kinds(log_of(worker, LOG, moved)) == ["creationLog", "deletionLog"]
    deleted = payment(rest)
    fetch_one(worker, "w3")
    clock.advance(timedelta(seconds=1))
    assert rest("officer").delete(f"/process-instance/{deleted}").status_code == 204
    created, gone = log_of(worker, LOG, deleted)
    assert kinds([created, gone]) == ["creationLog", "deletionLog"] and gone["workerId"] == "w3"


def test_the_query_in_a_body_filters_sorts_and_counts_as_the_query_string_does(rest, worker):
    first, second = payment(rest), payment(rest)
    task = fetch_one(worker)
    worker.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1"})
    body = {"processInstanceId": task["processInstanceId"], "successLog": True, "activityIdIn": ["pay"],
            "sorting": [{"sortBy": "timestamp", "sortOrder": "desc"}]}
    [success] = worker.post(LOG, json=body).get_json()
    assert success["externalTaskId"] == task["id"]
    assert worker.post(f"{LOG}/count", json=body).get_json() == {"count": 1}
    created = worker.post(f"{LOG}?maxResults=5", json={"creationLog": True}).get_json()
    assert {e["processInstanceId"] for e in created} == {first, second}
    assert worker.get(f"{LOG}?topicName={TOPIC}&creationLog=true&maxResults=1").get_json()[0]["creationLog"]
    assert worker.get(f"{LOG}/count?tenantIdIn=t1").get_json() == {"count": 0}


def test_bad_queries_unknown_entries_and_readers_other_than_external_task_readers_are_refused(rest, worker):
    instance = payment(rest)
    for path, field in ((f"{LOG}?sortBy=topicName", "sortOrder"), (f"{LOG}?sortBy=foo&sortOrder=asc", "sortBy"),
                        (f"{LOG}?startedAfter=2026-01-01", "startedAfter"),
                        (f"{LOG}/count?priorityLowerThanOrEquals=high", "priorityLowerThanOrEquals")):
        response = worker.get(path)
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["field"] == field, path
    wrong_body = worker.post(LOG, json={"failureLog": "yes"})
    assert wrong_body.status_code == 400 and wrong_body.get_json()["errors"][0]["field"] == "failureLog"
    assert worker.get(f"{LOG}/no-such-entry").status_code == 404
    assert worker.get(f"{LOG}/no-such-entry/error-details").status_code == 404
    assert rest("cotton").get(f"{LOG}?processInstanceId={instance}").status_code == 403
    assert [e["processInstanceId"] for e in log_of(rest("manager"), LOG, instance)] == [instance]


def test_a_cascade_deployment_deletion_takes_the_log_with_its_instances(rest):
    deployment = deployed(rest("analyst"), model_files("ext_payment.bpmn"))
    instance = payment(rest)
    assert len(log_of(rest("worker"), LOG, instance)) == 1
    assert rest("admin").delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 204
    assert log_of(rest("worker"), LOG, instance) == []
