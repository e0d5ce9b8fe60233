"""camunda-external-task-client-python3 (PyPI) against a live server, as a team's worker
would run it: it fetches and locks, completes with variables, fails until the retries run
out (an incident), and throws a BPMN error that the task's boundary event catches."""
from __future__ import annotations

import pytest
import requests
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound

from tests.support.jobs import BPMN, FORMS

TOPIC = "ext_payment"


@pytest.fixture
def officer(engine_rest):
    session = requests.Session()
    session.auth = ("officer", "demo")
    return lambda path, **kw: session.request(kw.pop("method", "GET"), f"{engine_rest}{path}", **kw)


@pytest.fixture
def deployed(engine_rest):
    with open(BPMN / "ext_payment.bpmn", "rb") as model, open(FORMS / "job_review.schema.json", "rb") as form:
        response = requests.post(f"{engine_rest}/deployment/create", auth=("analyst", "demo"),
                                 data={"deployment-name": "外部任务"},
                                 files={"ext_payment.bpmn": model, "job_review.schema.json": form})
    assert response.status_code == 200, response.text


@pytest.fixture
def worker(engine_rest, deployed):
    return ExternalTaskWorker("finance-1", engine_rest, {
        "auth_basic": {"username": "worker", "password": "demo"}, "maxTasks": 1,
        "lockDuration": 10_000, "asyncResponseTimeout": 300})


def start(officer, business_key: str, amount: int) -> str:
    response = officer("/process-definition/key/ext_payment/start", method="POST", json={
        "businessKey": business_key, "variables": {"amount": {"value": amount, "type": "Integer"}}})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def open_steps(officer, instance_id: str) -> list[str]:
    return [t["taskDefinitionKey"] for t in officer(f"/task?processInstanceId={instance_id}").json()]


def test_a_worker_completes_with_variables_and_the_instance_moves_on(officer, worker):
    instance = start(officer, "PAY-2026-01", 1200)
    seen = []

    def pay(task):
        seen.append((task.get_business_key(), task.get_variable("amount")))
        return task.complete({"voucher": "V-2026-88"})

    worker.fetch_and_execute(TOPIC, pay)
    assert seen == [("PAY-2026-01", 1200)]
    assert open_steps(officer, instance) == ["check"]
    assert officer(f"/process-instance/{instance}/variables/voucher").json()["value"] == "V-2026-88"
    with pytest.raises(NoExternalTaskFound):
        worker.fetch_and_execute(TOPIC, pay)


def test_a_worker_that_keeps_failing_leaves_an_incident(officer, worker):
    instance = start(officer, "PAY-2026-02", 900)
    for _attempt in range(3):
        worker.fetch_and_execute(TOPIC, lambda task: task.failure(
            "财务系统超时", "Timeout after 30s", max_retries=2, retry_timeout=0))
    with pytest.raises(NoExternalTaskFound):
        worker.fetch_and_execute(TOPIC, lambda task: task.complete({}))
    [incident] = officer(f"/incident?processInstanceId={instance}").json()
    assert incident["incidentType"] == "failedExternalTask"
    assert incident["incidentMessage"] == "财务系统超时"


def test_a_bpmn_error_takes_the_boundary_path(officer, worker):
    instance = start(officer, "PAY-2026-03", 50_000)
    worker.fetch_and_execute(TOPIC, lambda task: task.bpmn_error(
        "PAYMENT_DECLINED", "账户冻结", {"declineReason": "账户冻结"}))
    assert open_steps(officer, instance) == ["handle_decline"]
    assert officer(f"/process-instance/{instance}/variables/declineReason").json()["value"] == "账户冻结"
