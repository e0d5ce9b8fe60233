"""Shared helpers for the engine flow tests: deploy fixture files, start, list and complete tasks."""
from __future__ import annotations

import io
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BPMN_DIR = FIXTURES / "bpmn"
FORMS_DIR = FIXTURES / "forms"

# Every form the flow models use: deployed with each model so the lint finds them.
FLOW_FORMS = ("flow_opinion", "flow_application", "flow_expert_score")


def fixture_path(name: str) -> Path:
    """A fixture by file name: `.schema.json` files live in forms/, models in bpmn/."""
    folder = FORMS_DIR if name.endswith(".schema.json") else BPMN_DIR
    return folder / name


def deploy_files(rest_client, *names: str, with_forms: bool = True, deployment_name: str = "flow-tests"):
    """Deploy fixture files (and the flow forms) through POST /deployment/create; returns the response."""
    files = list(names)
    if with_forms:
        files += [f"{key}.schema.json" for key in FLOW_FORMS if f"{key}.schema.json" not in files]
    data = {"deployment-name": deployment_name}
    for name in files:
        data[name] = (io.BytesIO(fixture_path(name).read_bytes()), name)
    return rest_client.post("/deployment/create", data=data, content_type="multipart/form-data")


def deployed(rest_client, *names: str, **kwargs) -> dict:
    """Deploy and insist that it worked; returns the deployment JSON."""
    response = deploy_files(rest_client, *names, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def typed(values: dict) -> dict:
    """Plain values as Camunda typed variables (`{"x": {"value": 1}}`)."""
    result = {}
    for name, value in values.items():
        if isinstance(value, (dict, list)):
            result[name] = {"value": json.dumps(value, ensure_ascii=False), "type": "Json"}
        else:
            result[name] = {"value": value}
    return result


def start(rest_client, key: str, business_key: str | None = None, **variables) -> str:
    body = {"variables": typed(variables)}
    if business_key is not None:
        body["businessKey"] = business_key
    response = rest_client.post(f"/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def tasks(rest_client, instance_id: str | None = None, **filters) -> list[dict]:
    query = dict(filters)
    if instance_id is not None:
        query["processInstanceId"] = instance_id
    response = rest_client.get("/task", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def task_keys(rest_client, instance_id: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in tasks(rest_client, instance_id))


def only_task(rest_client, instance_id: str, key: str) -> dict:
    found = [t for t in tasks(rest_client, instance_id) if t["taskDefinitionKey"] == key]
    assert len(found) == 1, f"expected one open {key} task, got {found}"
    return found[0]


def complete_task(rest_client, task_id: str, **values):
    return rest_client.post(f"/task/{task_id}/complete", json={"variables": typed(values)})


def completed(rest_client, task_id: str, **values) -> None:
    """Complete a task and insist that it worked."""
    response = complete_task(rest_client, task_id, **values)
    assert response.status_code == 204, response.get_json()


def variables(rest_client, instance_id: str) -> dict:
    """The instance's variables as plain values (Json-typed values decoded)."""
    response = rest_client.get(f"/process-instance/{instance_id}/variables")
    assert response.status_code == 200, response.get_json()
    plain = {}
    for name, typed_value in response.get_json().items():
        value = typed_value["value"]
        if typed_value["type"] == "Json" and isinstance(value, str):
            value = json.loads(value)
        plain[name] = value
    return plain


def instance_state(rest_client, instance_id: str) -> str:
    """ACTIVE, COMPLETED, … as /history/process-instance reports it."""
    response = rest_client.get(
        "/history/process-instance", query_string={"processInstanceId": instance_id}
    )
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()
    assert len(rows) == 1, rows
    return rows[0]["state"]
