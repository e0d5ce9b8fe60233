"""DELETE /process-definition/{id} and /process-definition/key/{key}: process definitions
deleted as their deployment's deletion deletes them (instances only with cascade, by an
administrator), the deployment and its other files staying; every attempt audited."""
from __future__ import annotations

from tests.support.clients import basic
from tests.support.jobs import deployed, model_files, start

KEY = "job_two_steps"


def renamed(step_name: str) -> dict:
    files = model_files(f"{KEY}.bpmn")
    files[f"{KEY}.bpmn"] = files[f"{KEY}.bpmn"].replace('name="初审"'.encode(), f'name="{step_name}"'.encode())
    return files


def audited(client) -> list[dict]:
    response = client.get("/api/audit", headers=basic("admin"), query_string={"action": "definition.delete"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_version_without_instances_goes_and_the_previous_one_starts_again(rest, client):
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    second = deployed(rest("analyst"), renamed("初核"), "second")
    officer = rest("officer")
    versions = {d["version"]: d["id"] for d in officer.get(f"/process-definition?key={KEY}").get_json()}
    older, newer = versions[1], versions[2]
    assert rest("analyst").delete(f"/process-definition/{newer}").status_code == 204
    assert officer.get(f"/process-definition/{newer}").status_code == 404
    assert start(officer, KEY)["definitionId"] == older
    resources = rest("analyst").get(f"/deployment/{second['id']}/resources").get_json()
    assert f"{KEY}.bpmn" in {r["name"] for r in resources}, "the deployment keeps its files"
    [entry] = audited(client)
    assert (entry["userId"], entry["success"], entry["details"]["definitions"]) == ("analyst", True, [newer])


def test_instances_need_cascade_and_an_administrator(rest, client):
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    instance = start(rest("officer"), KEY)["id"]
    definition = rest("officer").get(f"/process-instance/{instance}").get_json()["definitionId"]
    refused = rest("admin").delete(f"/process-definition/{definition}")
    assert refused.status_code == 409 and "cascade=true" in refused.get_json()["message"]
    assert rest("analyst").delete(f"/process-definition/{definition}?cascade=true").status_code == 403
    assert rest("officer").delete(f"/process-definition/{definition}").status_code == 403
    assert rest("admin").delete(f"/process-definition/{definition}?cascade=true").status_code == 204
    assert rest("admin").get(f"/history/process-instance/{instance}").status_code == 404
    assert [e["success"] for e in audited(client)] == [True, False, False]


def test_every_version_of_a_key_goes_together(rest):
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    deployed(rest("analyst"), renamed("初核"), "second")
    assert rest("analyst").delete(f"/process-definition/key/{KEY}").status_code == 204
    assert rest("officer").get(f"/process-definition?key={KEY}").get_json() == []
    assert rest("analyst").delete(f"/process-definition/key/{KEY}").status_code == 404
    assert rest("analyst").delete("/process-definition/key/x?cascade=maybe").get_json()["errors"][0][
        "field"] == "cascade"
