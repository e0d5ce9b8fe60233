"""External tasks through /engine-rest as Camunda's external-task clients drive them: a
worker (the demo user `worker`) fetches and locks the service tasks left to it, then
completes them, reports failures and BPMN errors, extends or gives back its locks."""
from __future__ import annotations

import base64
import json
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import context_of
from app.config import ConfigError, load_settings
from app.models import AuditEntry
from app.platform import long_polling
from tests.support.apps import build_app
from tests.support.clients import Rest
from tests.support.jobs import bpmn, deploy_rest, deployed, form_files, model_files, only_task, start, variables

TOPIC = "ext_payment"


@pytest.fixture
def worker(rest):
    deployed(rest("analyst"), model_files("ext_payment.bpmn", "ext_notice.bpmn"))
    return rest("worker")


def fetch(api, worker_id="w1", max_tasks=10, **topic):
    body = {"workerId": worker_id, "maxTasks": max_tasks,
            "topics": [{"topicName": TOPIC, "lockDuration": 10_000, **topic}]}
    response = api.post("/external-task/fetchAndLock", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def payment(rest, business_key=None, **values):
    return start(rest("officer"), "ext_payment", values or None, business_key)["id"]


def test_a_fetched_task_completed_moves_the_instance_on(rest, worker):
    instance = payment(rest, "PAY-1", amount=1200, purpose="设备采购")
    [task] = fetch(worker)
    assert task["activityId"] == "pay" and task["processInstanceId"] == instance
    assert task["workerId"] == "w1" and task["businessKey"] == "PAY-1"
    assert task["variables"]["amount"] == {"value": 1200, "type": "Integer", "valueInfo": {}}
    assert fetch(worker, "w2") == []
    done = worker.post(f"/external-task/{task['id']}/complete", json={
        "workerId": "w1", "variables": {"voucher": {"value": "V-88", "type": "String"}},
        "localVariables": {"attempt": {"value": 1, "type": "Integer"}}})
    assert done.status_code == 204, done.get_json()
    assert only_task(rest("officer"), instance)["taskDefinitionKey"] == "check"
    assert variables(rest("officer"), instance)["voucher"] == "V-88"
    assert "attempt" not in variables(rest("officer"), instance)
    assert worker.get(f"/external-task/{task['id']}").status_code == 404
    again = worker.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1"})
    assert again.status_code == 404


def test_bytes_reach_the_worker_inline_and_a_file_it_sends_is_kept(rest, worker):
    scan = base64.b64encode("拨付申请扫描件".encode()).decode()
    response = rest("officer").post("/process-definition/key/ext_payment/start", json={
        "variables": {"scan": {"value": scan, "type": "Bytes"}}})
    assert response.status_code == 200, response.get_json()
    instance = response.get_json()["id"]
    [task] = fetch(worker, variables=["scan"])
    assert (task["variables"]["scan"]["type"], task["variables"]["scan"]["value"]) == ("Bytes", scan)
    receipt = base64.b64encode(b"%PDF-1.4 receipt").decode()
    done = worker.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1", "variables": {
        "receipt": {"value": receipt, "type": "File",
                    "valueInfo": {"filename": "receipt.pdf", "mimeType": "application/pdf"}}}})
    assert done.status_code == 204, done.get_json()
    data = rest("officer").get(f"/process-instance/{instance}/variables/receipt/data")
    assert data.status_code == 200 and data.get_data() == b"%PDF-1.4 receipt"


def test_only_the_variables_asked_for_are_sent(rest, worker):
    payment(rest, amount=1200, purpose="设备采购")
    [task] = fetch(worker, variables=["purpose", "missing"])
    assert task["variables"] == {"purpose": {"value": "设备采购", "type": "String", "valueInfo": {}}}


def test_confidential_variables_never_reach_the_worker(rest, worker):
    payment(rest, amount=1200, averageScore=91.5)
    [task] = fetch(worker)
    assert "averageScore" not in task["variables"] and "amount" in task["variables"]


def test_business_key_and_process_definition_key_narrow_the_fetch(rest, worker):
    payment(rest, "PAY-A")
    payment(rest, "PAY-B")
    notice = start(rest("officer"), "ext_notice")["id"]
    [by_key] = fetch(worker, businessKey="PAY-B")
    assert by_key["businessKey"] == "PAY-B"
    [notice_task] = fetch(worker, processDefinitionKey="ext_notice")
    assert notice_task["processInstanceId"] == notice
    assert fetch(worker, processDefinitionKeyIn=["ext_notice"]) == []
    [rest_of_them] = fetch(worker, processDefinitionKeyIn=["ext_payment", "ext_notice"])
    assert rest_of_them["businessKey"] == "PAY-A"


def test_use_priority_takes_the_highest_priority_first(rest, worker):
    for key in ("P-low", "P-high", "P-mid"):
        payment(rest, key)
    tasks = {t["businessKey"]: t["id"] for t in worker.get("/external-task").get_json()}
    admin = rest("admin")
    assert admin.put(f"/external-task/{tasks['P-high']}/priority", json={"priority": 90}).status_code == 204
    assert admin.put(f"/external-task/{tasks['P-mid']}/priority", json={"priority": 40}).status_code == 204
    response = worker.post("/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 2, "usePriority": True,
        "topics": [{"topicName": TOPIC, "lockDuration": 1000}]})
    assert [t["businessKey"] for t in response.get_json()] == ["P-high", "P-mid"]
    assert response.get_json()[0]["priority"] == 90
    assert worker.put(f"/external-task/{tasks['P-low']}/priority", json={"priority": 1}).status_code == 403


def test_task_priority_from_the_model_an_expression_or_the_process_default_orders_the_fetch(rest, worker):
    deployed(rest("analyst"), model_files("ext_priority.bpmn"))
    instance = start(rest("officer"), "ext_priority", {"urgency": 70})["id"]
    listed = {t["activityId"]: t["priority"] for t in worker.get(f"/external-task?processInstanceId={instance}")
              .get_json()}
    assert listed == {"urgent": 70, "archive": 10}
    [first] = worker.post("/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 1, "usePriority": True,
        "topics": [{"topicName": "ext_priority", "lockDuration": 1000}]}).get_json()
    assert (first["activityId"], first["priority"]) == ("urgent", 70)
    payment(rest)
    assert worker.get("/external-task?topicName=ext_payment").get_json()[0]["priority"] == 0


def test_a_task_priority_that_is_no_whole_number_is_refused_at_deploy_or_at_the_start(rest, worker):
    deployed(rest("analyst"), model_files("ext_priority.bpmn"))
    words = rest("officer").post("/process-definition/key/ext_priority/start",
                                 json={"variables": {"urgency": {"value": "high", "type": "String"}}})
    assert words.status_code == 400 and "urgent" in words.get_json()["message"]
    assert worker.get("/external-task?topicName=ext_priority").get_json() == []
    model = bpmn("ext_priority.bpmn").replace(b'camunda:taskPriority="10"', b'camunda:taskPriority="high"')
    response = deploy_rest(rest("analyst"), {"ext_priority.bpmn": model, **form_files()})
    assert response.status_code == 400
    assert {e["element_id"] for e in response.get_json()["errors"]} == {"archive"}
    assert "camunda:taskPriority" in response.get_json()["errors"][0]["message"]


def test_the_python_clients_body_is_accepted_and_sorting_by_create_time_is_honoured(rest, worker, clock):
    payment(rest, "OLD")
    clock.advance(timedelta(seconds=1))
    payment(rest, "NEW")
    # What camunda-external-task-client-python3 sends by default.
    response = worker.post("/external-task/fetchAndLock", json={
        "workerId": "py", "maxTasks": 1, "asyncResponseTimeout": 0, "usePriority": False,
        "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}],
        "topics": [{"topicName": TOPIC, "lockDuration": 300000, "processVariables": {},
                    "includeExtensionProperties": True, "deserializeValues": True, "variables": None}]})
    assert response.status_code == 200, response.get_json()
    assert [t["businessKey"] for t in response.get_json()] == ["NEW"]
    assert response.get_json()[0]["extensionProperties"] == {}
    refused = worker.post("/external-task/fetchAndLock", json={
        "workerId": "py", "maxTasks": 1,
        "topics": [{"topicName": TOPIC, "lockDuration": 1000, "processVariables": {"amount": 1}}]})
    assert refused.status_code == 400
    assert refused.get_json()["errors"][0]["field"] == "topics[0].processVariables"


def test_tasks_of_a_suspended_instance_are_not_fetched(rest, worker):
    instance = payment(rest)
    admin = rest("admin")
    assert admin.put(f"/process-instance/{instance}/suspended", json={"suspended": True}).status_code == 204
    assert fetch(worker) == []
    assert worker.get("/external-task/count?suspended=true").get_json() == {"count": 1}
    assert admin.put(f"/process-instance/{instance}/suspended", json={"suspended": False}).status_code == 204
    assert len(fetch(worker)) == 1


def test_failures_wait_their_retry_timeout_then_an_incident_until_retries_are_set(rest, worker, clock):
    instance = payment(rest)
    [task] = fetch(worker)
    failed = worker.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w1", "errorMessage": "财务系统超时", "errorDetails": "Timeout after 30s\n at pay()",
        "retries": 1, "retryTimeout": 60_000})
    assert failed.status_code == 204, failed.get_json()
    assert fetch(worker) == []
    clock.advance(timedelta(seconds=61))
    [again] = fetch(worker)
    assert again["retries"] == 1 and again["errorMessage"] == "财务系统超时"
    assert worker.get(f"/external-task/{task['id']}/errorDetails").get_data(as_text=True) == (
        "Timeout after 30s\n at pay()")
    worker.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w1", "errorMessage": "财务系统拒绝连接", "retries": 0})
    [incident] = rest("admin").get(f"/incident?processInstanceId={instance}").get_json()
    assert incident["incidentType"] == "failedExternalTask"
    assert incident["configuration"] == task["id"] and incident["incidentMessage"] == "财务系统拒绝连接"
    assert fetch(worker) == []
    assert worker.get("/external-task/count?noRetriesLeft=true").get_json() == {"count": 1}
    assert rest("admin").put(f"/external-task/{task['id']}/retries", json={"retries": 2}).status_code == 204
    assert rest("admin").get(f"/incident?processInstanceId={instance}").get_json() == []
    [fetchable] = fetch(worker, "w2")
    assert fetchable["retries"] == 2


def test_an_external_tasks_incident_shows_in_the_cockpit(rest, worker, web):
    instance = payment(rest)
    [task] = fetch(worker)
    worker.post(f"/external-task/{task['id']}/failure", json={
        "workerId": "w1", "errorMessage": "财务系统拒绝连接", "retries": 0})
    page = web("manager").get(f"/cockpit/instances/{instance}").get_data(as_text=True)
    assert "failedExternalTask" in page and "财务系统拒绝连接" in page


def test_the_batch_variant_sets_the_retries_of_an_instances_tasks(rest, worker):
    instance = payment(rest)
    [task] = fetch(worker)
    worker.post(f"/external-task/{task['id']}/failure", json={"workerId": "w1", "retries": 0})
    response = rest("admin").put("/external-task/retries", json={"retries": 1, "processInstanceIds": [instance]})
    assert response.status_code == 204, response.get_json()
    assert worker.get(f"/external-task/{task['id']}").get_json()["retries"] == 1
    by_id = rest("admin").put("/external-task/retries", json={"retries": 4, "externalTaskIds": [task["id"]]})
    assert by_id.status_code == 204 and worker.get(f"/external-task/{task['id']}").get_json()["retries"] == 4
    empty = rest("admin").put("/external-task/retries", json={"retries": 1, "externalTaskIds": []})
    assert empty.status_code == 400 and empty.get_json()["errors"][0]["field"] == "externalTaskIds"


def test_the_async_batch_variant_sets_the_retries_now_and_answers_a_batch_that_is_done(rest, worker, app):
    instance = payment(rest)
    [task] = fetch(worker)
    worker.post(f"/external-task/{task['id']}/failure", json={"workerId": "w1", "retries": 0})
    response = rest("admin").post("/external-task/retries-async", json={
        "retries": 3, "processInstanceIds": [instance], "externalTaskIds": [task["id"]]})
    assert response.status_code == 200, response.get_json()
    batch = response.get_json()
    assert batch["type"] == "set-external-task-retries" and batch["createUserId"] == "admin"
    assert (batch["totalJobs"], batch["jobsCreated"], batch["invocationsPerBatchJob"]) == (1, 1, 1)
    assert batch["startTime"] == batch["executionStartTime"] and batch["batchJobDefinitionId"] is None
    assert worker.get(f"/external-task/{task['id']}").get_json()["retries"] == 3
    assert rest("admin").get(f"/incident?processInstanceId={instance}").get_json() == []
    with context_of(app).db.read() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "external_task.retries")).all()
    assert json.loads(entry.details_json)["batch_id"] == batch["id"]
    assert rest("admin").get(f"/history/batch/{batch['id']}").get_json()["type"] == "set-external-task-retries"
    query = rest("admin").post("/external-task/retries-async", json={"retries": 1, "externalTaskQuery": {}})
    assert query.status_code == 400 and query.get_json()["errors"][0]["field"] == "externalTaskQuery"
    assert worker.post("/external-task/retries-async", json={
        "retries": 1, "externalTaskIds": [task["id"]]}).status_code == 403


def test_a_bpmn_error_routes_to_the_boundary_event_of_the_task(rest, worker):
    instance = payment(rest)
    [task] = fetch(worker)
    uncaught = worker.post(f"/external-task/{task['id']}/bpmnError", json={
        "workerId": "w1", "errorCode": "NO_SUCH_CODE"})
    assert uncaught.status_code == 400 and uncaught.get_json()["errors"][0]["field"] == "errorCode"
    thrown = worker.post(f"/external-task/{task['id']}/bpmnError", json={
        "workerId": "w1", "errorCode": "PAYMENT_DECLINED", "errorMessage": "账户冻结",
        "variables": {"declineReason": {"value": "账户冻结", "type": "String"}}})
    assert thrown.status_code == 204, thrown.get_json()
    assert only_task(rest("officer"), instance)["taskDefinitionKey"] == "handle_decline"
    assert variables(rest("officer"), instance)["declineReason"] == "账户冻结"
    assert worker.get("/external-task/count").get_json() == {"count": 0}


def test_extend_lock_and_unlock(rest, worker, clock):
    payment(rest)
    [task] = fetch(worker)
    path = f"/external-task/{task['id']}"
    assert worker.post(f"{path}/extendLock", json={"workerId": "w2", "newDuration": 60_000}).status_code == 400
    assert worker.post(f"{path}/extendLock", json={"workerId": "w1", "newDuration": 60_000}).status_code == 204
    clock.advance(timedelta(seconds=30))
    assert fetch(worker, "w2") == []
    assert worker.get(f"/external-task/count?locked=true&workerId=w1").get_json() == {"count": 1}
    assert worker.post(f"{path}/lock", json={"workerId": "w2", "lockDuration": 5000}).status_code == 400
    assert worker.post(f"{path}/unlock").status_code == 204
    assert worker.get(path).get_json()["workerId"] is None
    [taken] = fetch(worker, "w2")
    assert taken["id"] == task["id"]
    clock.advance(timedelta(seconds=11))
    expired = worker.post(f"{path}/extendLock", json={"workerId": "w2", "newDuration": 1000})
    assert expired.status_code == 400
    assert worker.post(f"{path}/lock", json={"workerId": "w3", "lockDuration": 5000}).status_code == 204
    assert worker.get(path).get_json()["workerId"] == "w3" and fetch(worker, "w4") == []


def test_a_worker_that_does_not_hold_the_lock_is_refused(rest, worker):
    payment(rest)
    [task] = fetch(worker)
    path = f"/external-task/{task['id']}"
    refused = worker.post(f"{path}/complete", json={"workerId": "intruder"})
    assert refused.status_code == 400
    assert (f"External Task {task['id']} cannot be completed by worker 'intruder'. "
            "It is locked by worker 'w1'.") in refused.get_json()["message"]
    failure = worker.post(f"{path}/failure", json={"workerId": "intruder", "retries": 0})
    assert failure.status_code == 400 and "cannot be reported by worker 'intruder'" in failure.get_json()["message"]
    assert worker.get(path).get_json()["retries"] is None


def test_officers_may_not_fetch_or_complete_external_tasks(rest, worker):
    payment(rest)
    officer = rest("officer")
    response = officer.post("/external-task/fetchAndLock", json={
        "workerId": "o", "maxTasks": 1, "topics": [{"topicName": TOPIC, "lockDuration": 1000}]})
    assert response.status_code == 403
    [task] = fetch(worker)
    assert officer.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1"}).status_code == 403
    assert rest("cotton").get("/external-task").status_code == 403
    assert [t["id"] for t in officer.get("/external-task").get_json()] == [task["id"]]


def test_a_dead_workers_task_goes_to_exactly_one_next_fetch_once_its_lock_expires(rest, worker, clock, app):
    payment(rest)
    [task] = fetch(worker, "dead", lockDuration=5_000)
    clock.advance(timedelta(seconds=6))
    results = _concurrently(app, 2, lambda api, n: fetch(api, f"w{n}"))
    assert sorted(len(found) for found in results) == [0, 1]
    [taken] = [found[0] for found in results if found]
    assert taken["id"] == task["id"] and taken["workerId"] in ("w0", "w1")


def test_concurrent_fetches_never_lock_the_same_task(rest, worker, app):
    for n in range(6):
        payment(rest, f"C-{n}")
    results = _concurrently(app, 3, lambda api, n: fetch(api, f"w{n}", max_tasks=3))
    ids = [t["id"] for found in results for t in found]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_a_long_poll_returns_when_a_task_appears(rest, worker, app):
    def start_later():
        time.sleep(0.3)
        payment(rest, "LATE")

    starter = threading.Thread(target=start_later)
    starter.start()
    response = worker.post("/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 1, "asyncResponseTimeout": 10_000,
        "topics": [{"topicName": TOPIC, "lockDuration": 1000}]})
    starter.join()
    assert [t["businessKey"] for t in response.get_json()] == ["LATE"]


def test_a_long_poll_answers_empty_when_its_time_is_up(worker):
    started = time.monotonic()
    response = worker.post("/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 1, "asyncResponseTimeout": 400,
        "topics": [{"topicName": TOPIC, "lockDuration": 1000}]})
    assert response.status_code == 200 and response.get_json() == []
    assert time.monotonic() - started >= 0.4


def test_no_more_fetches_wait_at_once_than_the_long_poll_budget(database_url, clock):
    with app_with_long_polls(database_url, clock, 1) as other:
        ctx = context_of(other)
        with long_polling.slot(ctx) as first, long_polling.slot(ctx) as second:
            assert (first, second) == (True, False)
        with long_polling.slot(ctx) as freed:
            assert freed


def test_with_no_long_poll_slot_a_fetch_answers_with_what_there_is(worker, database_url, clock):
    with app_with_long_polls(database_url, clock, 0) as other:
        response = Rest(other.test_client(), "worker").post("/external-task/fetchAndLock", json={
            "workerId": "w1", "maxTasks": 1, "asyncResponseTimeout": 20_000,
            "topics": [{"topicName": TOPIC, "lockDuration": 1000}]})
    assert response.status_code == 200 and response.get_json() == []


def test_the_long_poll_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EXTERNAL_TASK_LONG_POLLS", "5")
    assert load_settings().external_task_long_polls == 5
    monkeypatch.setenv("EXTERNAL_TASK_LONG_POLLS", "-1")
    with pytest.raises(ConfigError, match="EXTERNAL_TASK_LONG_POLLS"):
        load_settings()


@contextmanager
def app_with_long_polls(database_url, clock, budget: int):
    """Another web worker on the same database, with a long-poll budget of its own."""
    other = build_app(database_url, clock, external_task_long_polls=budget)
    try:
        yield other
    finally:
        context_of(other).db.dispose()


def test_list_count_get_and_topic_names_in_camunda_shape(rest, worker):
    instance = payment(rest, "PAY-S")
    start(rest("officer"), "ext_notice")
    [task] = fetch(worker, businessKey="PAY-S")
    listed = worker.get(f"/external-task?processInstanceId={instance}").get_json()
    assert listed == [worker.get(f"/external-task/{task['id']}").get_json()]
    one = listed[0]
    assert set(one) == {
        "id", "topicName", "workerId", "lockExpirationTime", "createTime", "retries", "errorMessage",
        "suspended", "priority", "activityId", "activityInstanceId", "executionId", "processInstanceId",
        "processDefinitionId", "processDefinitionKey", "processDefinitionVersionTag", "businessKey",
        "tenantId"}
    assert one["topicName"] == TOPIC and one["workerId"] == "w1" and one["lockExpirationTime"].endswith("+0800")
    assert worker.get("/external-task/count").get_json() == {"count": 2}
    assert worker.get("/external-task/count?notLocked=true").get_json() == {"count": 1}
    assert worker.get("/external-task/count?activityId=send").get_json() == {"count": 1}
    assert worker.get("/external-task/count?processDefinitionKey=ext_payment").get_json() == {"count": 1}
    by_key = worker.get("/external-task?sortBy=processDefinitionKey&sortOrder=desc").get_json()
    assert [t["processDefinitionKey"] for t in by_key] == ["ext_payment", "ext_notice"]
    assert worker.get("/external-task/topic-names?withLockedTasks=true").get_json() == [TOPIC]
    unknown = worker.get("/external-task?assignee=w1")
    assert unknown.status_code == 400 and unknown.get_json()["errors"][0]["field"] == "assignee"
    assert worker.get("/external-task?sortBy=foo&sortOrder=asc").status_code == 400


def test_the_query_in_a_body_filters_and_sorts_as_the_query_string_does(rest, worker, clock):
    first = payment(rest, "Q-1")
    clock.advance(timedelta(seconds=1))
    second = payment(rest, "Q-2")
    start(rest("officer"), "ext_notice")
    found = worker.post("/external-task", json={
        "processInstanceIdIn": [first, second], "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}]})
    assert found.status_code == 200, found.get_json()
    assert [t["businessKey"] for t in found.get_json()] == ["Q-2", "Q-1"]
    counted = worker.post("/external-task/count", json={"activityIdIn": ["send"], "notLocked": True})
    assert counted.get_json() == {"count": 1}
    wrong = worker.post("/external-task/count", json={"notLocked": "yes"})
    assert wrong.status_code == 400 and wrong.get_json()["errors"][0]["field"] == "notLocked"
    unknown = worker.post("/external-task", json={"assignee": "w1"})
    assert unknown.status_code == 400 and unknown.get_json()["errors"][0]["field"] == "assignee"


def test_a_fetch_with_bad_input_is_a_400_naming_the_field(worker):
    cases = [
        ({"maxTasks": 1, "topics": []}, "workerId"),
        ({"workerId": "w", "topics": []}, "maxTasks"),
        ({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": TOPIC}]}, "topics[0].lockDuration"),
        ({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": TOPIC, "lockDuration": 1, "x": 1}]},
         "topics[0].x"),
        ({"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": "soon", "topics": []}, "asyncResponseTimeout"),
    ]
    for body, field in cases:
        response = worker.post("/external-task/fetchAndLock", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field


def test_ending_the_instance_removes_its_external_task(rest, worker):
    instance = payment(rest)
    assert worker.get("/external-task/count").get_json() == {"count": 1}
    assert rest("officer").delete(f"/process-instance/{instance}").status_code == 204
    assert worker.get("/external-task/count").get_json() == {"count": 0}


def test_a_token_moved_off_and_back_onto_the_task_takes_its_row_with_it(rest, worker):
    instance = payment(rest)
    [task] = fetch(worker)

    def move(source, target):
        response = rest("admin").post(f"/process-instance/{instance}/modification", json={
            "instructions": [{"type": "cancel", "activityId": source},
                             {"type": "startBeforeActivity", "activityId": target}]})
        assert response.status_code == 204, response.get_json()

    move("pay", "check")
    assert worker.get("/external-task/count").get_json() == {"count": 0}
    assert worker.post(f"/external-task/{task['id']}/complete", json={"workerId": "w1"}).status_code == 404
    move("check", "pay")
    [again] = fetch(worker)
    assert again["id"] != task["id"] and again["activityId"] == "pay" and again["retries"] is None


def _concurrently(app, count: int, call) -> list:
    """Run `call(api, n)` on `count` threads released together, each with its own client."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        api = Rest(app.test_client(), "worker")
        barrier.wait()
        results[n] = call(api, n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
