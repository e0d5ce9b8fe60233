"""Helpers for the timer, job, deployment and concurrency tests: fixtures and REST calls."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from app.clock import format_camunda

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BPMN = FIXTURES / "bpmn"
FORMS = FIXTURES / "forms"
REVIEW_FORM = "job_review"


def bpmn(name: str) -> bytes:
    return (BPMN / name).read_bytes()


def form_files(*keys: str) -> dict[str, bytes]:
    keys = keys or (REVIEW_FORM,)
    return {f"{key}.schema.json": (FORMS / f"{key}.schema.json").read_bytes() for key in keys}


def model_files(*bpmn_names: str, forms: bool = True) -> dict[str, bytes]:
    """The named fixture diagrams, with the review form they all use."""
    files = form_files() if forms else {}
    files.update({name: bpmn(name) for name in bpmn_names})
    return files


def deploy_rest(api, files: dict[str, bytes], name: str = "job-test"):
    """POST /deployment/create with `files` as multipart uploads; returns the response."""
    data = {"deployment-name": name}
    for file_name, content in files.items():
        data[file_name] = (io.BytesIO(content), file_name)
    return api.post("/deployment/create", data=data, content_type="multipart/form-data")


def deployed(api, files: dict[str, bytes], name: str = "job-test") -> dict:
    response = deploy_rest(api, files, name)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def start(api, key: str, variables: dict | None = None, business_key: str | None = None) -> dict:
    body = {"variables": {k: {"value": v} for k, v in (variables or {}).items()}}
    if business_key is not None:
        body["businessKey"] = business_key
    response = api.post(f"/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def tasks(api, instance_id: str) -> list[dict]:
    response = api.get(f"/task?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def task_keys(api, instance_id: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in tasks(api, instance_id))


def only_task(api, instance_id: str, key: str | None = None) -> dict:
    found = [t for t in tasks(api, instance_id) if key is None or t["taskDefinitionKey"] == key]
    assert len(found) == 1, found
    return found[0]


def complete(api, task_id: str, variables: dict | None = None):
    body = {"variables": {k: {"value": v} for k, v in (variables or {}).items()}}
    return api.post(f"/task/{task_id}/complete", json=body)


def jobs(api, instance_id: str) -> list[dict]:
    response = api.get(f"/job?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def only_job(api, instance_id: str) -> dict:
    found = jobs(api, instance_id)
    assert len(found) == 1, found
    return found[0]


def incidents(api, instance_id: str) -> list[dict]:
    response = api.get(f"/incident?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def historic_tasks(api, instance_id: str) -> dict[str, dict]:
    response = api.get(f"/history/task?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    return {t["taskDefinitionKey"]: t for t in response.get_json()}


def historic_instance(api, instance_id: str) -> dict:
    response = api.get(f"/history/process-instance?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    [found] = response.get_json()
    return found


def variables(api, instance_id: str) -> dict:
    response = api.get(f"/process-instance/{instance_id}/variables")
    assert response.status_code == 200, response.get_json()
    return {name: typed["value"] for name, typed in response.get_json().items()}


def camunda_date(value: datetime) -> str:
    """How the REST API shows an instant: Asia/Shanghai, milliseconds, +0800."""
    return format_camunda(value)
