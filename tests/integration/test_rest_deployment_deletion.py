"""DELETE /deployment/{id}: without cascade a deployment whose definitions have instances is
refused; with cascade an administrator deletes them too, running and finished, with all the
engine keeps of them. Analysts and admins delete what they deploy; every attempt is audited."""
from __future__ import annotations

import base64

import pytest

from app.platform.instance_store import definition_of

from tests.support.clients import basic
from tests.support.establishment import assign_experts, deploy_models, formal_review, start_application, to_formal_review
from tests.support.jobs import bpmn, complete, deployed, form_files, model_files, only_task, start

KEY = "job_two_steps"


def audit_entries(client) -> list[dict]:
    response = client.get("/api/audit", headers=basic("admin"), query_string={"action": "deployment.delete"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_deployment_without_instances_is_deleted_with_its_definitions(rest, client):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    definition = rest("officer").get(f"/process-definition/key/{KEY}").get_json()["id"]

    assert rest("analyst").delete(f"/deployment/{deployment['id']}").status_code == 204

    assert rest("analyst").get(f"/deployment/{deployment['id']}").status_code == 404
    assert rest("officer").get(f"/process-definition/{definition}").status_code == 404
    assert rest("officer").get(f"/process-definition/key/{KEY}").status_code == 404
    [entry] = audit_entries(client)
    assert entry["success"] is True and entry["userId"] == "analyst"
    assert entry["details"]["definitions"] == [definition]


def test_deleting_the_latest_version_leaves_the_previous_one_to_start(rest):
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    first = rest("officer").get(f"/process-definition/key/{KEY}").get_json()["id"]
    files = model_files(f"{KEY}.bpmn")
    files[f"{KEY}.bpmn"] = files[f"{KEY}.bpmn"].replace('name="初审"'.encode(), 'name="初核"'.encode())
    second = deployed(rest("analyst"), files, "second")

    deleted = rest("officer").get(f"/process-definition/key/{KEY}").get_json()["id"]
    start(rest("officer"), KEY)
    assert rest("admin").delete(f"/deployment/{second['id']}?cascade=true").status_code == 204

    assert start(rest("officer"), KEY)["definitionId"] == first
    gone = rest("officer").post(f"/process-definition/{deleted}/start", json={})
    assert gone.status_code == 404


def test_instances_refuse_a_deletion_without_cascade(rest):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    start(rest("officer"), KEY)

    response = rest("admin").delete(f"/deployment/{deployment['id']}")

    assert response.status_code == 409
    assert "cascade" in response.get_json()["message"] and "1 个运行中" in response.get_json()["message"]
    assert rest("admin").delete(f"/deployment/{deployment['id']}?cascade=false").status_code == 409
    assert rest("admin").get(f"/deployment/{deployment['id']}").status_code == 200


def test_a_finished_instance_refuses_it_too(rest):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    instance = start(rest("officer"), KEY)["id"]
    assert complete(rest("officer"), only_task(rest("officer"), instance)["id"], {"approved": False}).status_code == 204
    response = rest("admin").delete(f"/deployment/{deployment['id']}")
    assert response.status_code == 409 and "0 个运行中" in response.get_json()["message"]


def test_cascade_deletes_the_instances_and_their_history(rest):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    officer, admin = rest("officer"), rest("admin")
    running = start(officer, KEY)["id"]
    finished = start(officer, KEY)["id"]
    task = only_task(officer, running)
    assert officer.post(f"/task/{task['id']}/comment/create", json={"message": "请补充材料"}).status_code == 200
    assert complete(officer, only_task(officer, finished)["id"], {"approved": False}).status_code == 204

    assert admin.delete(f"/deployment/{deployment['id']}?cascade=true&skipCustomListeners=true"
                        "&skipIoMappings=false").status_code == 204

    assert admin.get(f"/process-instance/{running}").status_code == 404
    assert admin.get(f"/task/{task['id']}").status_code == 404
    for instance in (running, finished):
        assert admin.get(f"/history/process-instance?processInstanceId={instance}").get_json() == []
        assert admin.get(f"/history/activity-instance?processInstanceId={instance}").get_json() == []
        assert admin.get(f"/history/task?processInstanceId={instance}").get_json() == []


def test_only_an_administrator_deletes_instances_and_the_refusals_are_audited(rest, client):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    instance = start(rest("officer"), KEY)["id"]

    assert rest("analyst").delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 403
    assert rest("officer").delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 403

    assert rest("admin").get(f"/process-instance/{instance}").status_code == 200
    assert [(e["userId"], e["success"]) for e in audit_entries(client)] == [("officer", False), ("analyst", False)]


@pytest.mark.parametrize("query, field", [("cascade=yes", None), ("skipIoMappings=1", None),
                                          ("skipCustomListeners=true&force=true", "force")])
def test_bad_parameters_are_400s(rest, query, field):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    response = rest("admin").delete(f"/deployment/{deployment['id']}?{query}")
    assert response.status_code == 400
    if field:
        assert response.get_json()["errors"][0]["field"] == field
    assert rest("admin").get(f"/deployment/{deployment['id']}").status_code == 200


def test_an_unknown_deployment_is_404(rest):
    assert rest("admin").delete("/deployment/nothing").status_code == 404


def test_a_form_another_deployment_shows_keeps_its_deployment(rest):
    with_form = deployed(rest("analyst"), form_files(), "forms")
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn", forms=False), "diagram")

    response = rest("admin").delete(f"/deployment/{with_form['id']}")

    assert response.status_code == 409 and "job_review" in response.get_json()["message"]


def test_case_records_of_an_instance_refuse_even_a_cascade(ctx, rest):
    deploy_models(ctx)
    officer = rest("officer")
    instance = start_application(rest("cotton"), "SQ-2026-031")
    to_formal_review(rest, instance)
    formal_review(officer, instance, "pass")
    assert assign_experts(officer, instance, ["expert4", "expert5", "expert6"]).status_code == 204
    deployment = officer.get("/process-definition/key/tic_establishment").get_json()["deploymentId"]

    response = rest("admin").delete(f"/deployment/{deployment}?cascade=true")

    assert response.status_code == 409 and "expert_panel" in response.get_json()["message"]
    assert rest("admin").get(f"/process-instance/{instance}").status_code == 200


def test_a_worker_that_still_holds_a_deleted_definition_starts_nothing_on_it(ctx, rest):
    deployment = deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    definition_id = rest("officer").get(f"/process-definition/key/{KEY}").get_json()["id"]
    with ctx.db.read() as session:
        held = definition_of(ctx, session, definition_id)
    assert rest("admin").delete(f"/deployment/{deployment['id']}").status_code == 204
    ctx.caches["definitions"][definition_id] = held  # as another worker's memory still has it

    response = rest("officer").post(f"/process-definition/{definition_id}/start", json={})

    assert response.status_code == 404 and "删除" in response.get_json()["message"]


def test_a_version_a_migration_batch_moved_instances_from_keeps_its_deployment(rest):
    officer = rest("officer")
    deployed(rest("analyst"), form_files(), "forms")
    source = deployed(rest("analyst"), {"mig_review.bpmn": bpmn("mig_review_v1.bpmn")}, "v1")
    waiting = start(officer, "mig_review")["id"]
    target = deployed(rest("analyst"), {"mig_review.bpmn": bpmn("mig_review_v2.bpmn")}, "v2")
    [source_id], [target_id] = source["deployedProcessDefinitions"], target["deployedProcessDefinitions"]
    plan = rest("analyst").post("/migration/generate", json={
        "sourceProcessDefinitionId": source_id, "targetProcessDefinitionId": target_id}).get_json()
    moved = rest("admin").post("/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [waiting]})
    assert moved.get_json()["migrated"] == [waiting]

    response = rest("admin").delete(f"/deployment/{source['id']}")

    assert response.status_code == 409 and "迁移批次" in response.get_json()["message"]


def test_cascade_deletes_external_tasks_and_binary_variables_too(rest):
    deployment = deployed(rest("analyst"), model_files("ext_notice.bpmn", forms=False))
    scan = base64.b64encode("短信模板".encode()).decode()
    instance = rest("officer").post("/process-definition/key/ext_notice/start", json={
        "variables": {"scan": {"value": scan, "type": "Bytes"}}}).get_json()["id"]
    assert [t["processInstanceId"] for t in rest("admin").get("/external-task").get_json()] == [instance]

    assert rest("admin").delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 204

    assert rest("admin").get("/external-task").get_json() == []
    assert rest("admin").get(f"/process-instance/{instance}/variables/scan").status_code == 404
