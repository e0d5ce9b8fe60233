"""External tasks through /engine-rest as Camunda's external-task clients drive them: a
worker (the demo user `worker`) fetches and locks the service tasks left to it, then
completes them, reports failures and BPMN errors, extends or gives back its locks."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.support.jobs import deployed, model_files, only_task, start, variables

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
