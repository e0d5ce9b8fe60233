"""Camunda Modeler (the desktop tool) deploys straight into the system: its deploy dialog
checks the connection, then posts multipart to /engine-rest/deployment/create with
`deployment-name`, `deployment-source`, `deploy-changed-only`, the diagram and the files
attached to it (here the forms' `*.schema.json` and `*.ui.json`). Unchanged files make no
new version; a changed diagram becomes the next version while running instances keep
theirs (R28)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.platform.model_catalog import forms
from tests.support.clients import basic

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = "tic_establishment.bpmn"
FORM = "tic/fill_application"


def modeler_request(diagram: bytes, *attachments: tuple[str, bytes]) -> dict:
    """The deploy dialog's form, in the order the modeler appends its fields."""
    data = {
        "deployment-name": "科技创新中心组建（Camunda Modeler）",
        "deploy-changed-only": "true",
        "deployment-source": "Camunda Modeler",
        DIAGRAM: (io.BytesIO(diagram), DIAGRAM, "text/xml"),
    }
    for name, content in attachments:
        data[name] = (io.BytesIO(content), name, "application/octet-stream")
    return data


def deploy(client, data: dict):
    return client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data",
                       headers={**basic("analyst"), "Accept": "application/json"})


def form_files() -> list[tuple[str, bytes]]:
    return [(f"{FORM}{suffix}", (ROOT / "forms" / f"{FORM}{suffix}").read_bytes())
            for suffix in (".schema.json", ".ui.json")]


def versions(client, key: str) -> list[int]:
    found = client.get(f"/engine-rest/process-definition?key={key}", headers=basic("analyst")).get_json()
    return sorted(d["version"] for d in found)


@pytest.fixture
def diagram() -> bytes:
    return (ROOT / "bpmn" / DIAGRAM).read_bytes()


def test_the_modelers_connection_check_is_answered(client, project_models):
    response = client.get("/engine-rest/deployment?maxResults=0", headers=basic("analyst"))
    assert response.status_code == 200
    assert response.get_json() == []
    assert client.get("/engine-rest/version", headers=basic("analyst")).status_code == 200
    engines = client.get("/engine-rest/engine", headers=basic("analyst"))
    assert engines.status_code == 200 and engines.get_json() == [{"name": "default"}]
    named = client.get("/engine-rest/engine/default/deployment?maxResults=0", headers=basic("analyst"))
    assert named.status_code == 200 and named.get_json() == []
    other = client.get("/engine-rest/engine/other/deployment", headers=basic("analyst"))
    assert other.status_code == 404 and other.get_json()["type"] == "NotFoundException"


def test_deploying_unchanged_files_from_the_modeler_makes_no_new_version(client, project_models, diagram):
    response = deploy(client, modeler_request(diagram, *form_files()))

    assert response.status_code == 200, response.get_json()
    assert not response.get_json()["deployedProcessDefinitions"]
    assert versions(client, "tic_establishment") == [1]


def test_a_changed_diagram_from_the_modeler_becomes_the_next_version(client, project_models, diagram):
    changed = diagram.replace('name="形式审查"'.encode(), 'name="形式审查（含查重）"'.encode(), 1)
    assert changed != diagram

    response = deploy(client, modeler_request(changed, *form_files()))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    [definition] = body["deployedProcessDefinitions"].values()
    assert (definition["key"], definition["version"]) == ("tic_establishment", 2)
    assert body["source"] == "Camunda Modeler"
    listed = client.get("/engine-rest/deployment", headers=basic("analyst")).get_json()
    assert any(d["id"] == body["id"] and d["source"] == "Camunda Modeler" for d in listed)


def test_a_changed_form_from_the_modeler_makes_a_new_form_version_and_binds_it(client, ctx, project_models,
                                                                               diagram):
    schema_name, schema = form_files()[0]
    changed_schema = schema.replace("资产负债率".encode(), "资产负债率（上年末）".encode(), 1)
    assert changed_schema != schema

    response = deploy(client, modeler_request(diagram, (schema_name, changed_schema), form_files()[1]))

    assert response.status_code == 200, response.get_json()
    assert versions(client, "tic_establishment") == [1, 2]
    with ctx.db.read() as session:
        [form] = [f for f in forms(session) if f.key == FORM]
    assert [v.version for v in form.versions] == [2, 1]


def test_the_modeler_is_refused_for_a_user_who_may_not_deploy(client, project_models, diagram):
    response = client.post("/engine-rest/deployment/create", data=modeler_request(diagram),
                           content_type="multipart/form-data", headers=basic("officer"))

    assert response.status_code == 403
    assert versions(client, "tic_establishment") == [1]
