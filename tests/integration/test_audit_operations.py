"""Permission changes and operations on the platform land in the one audit log, refused
attempts too, with who, when and from where."""
from __future__ import annotations

from tests.support.clients import basic
from tests.support.establishment import deploy_models, start_application
from tests.support.jobs import deployed, model_files, start


def audit_entries(client, action: str) -> list[dict]:
    response = client.get("/api/audit", headers=basic("admin"), query_string={"action": action})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_cc_grant_is_audited_with_who_whom_and_from_where(ctx, client, rest):
    deploy_models(ctx)
    instance_id = start_application(rest("cotton"), "SQ-2026-001")
    response = client.post(f"/api/instances/{instance_id}/cc", headers=basic("cotton"),
                           json={"userIds": ["officer"]})
    assert response.status_code == 200, response.get_json()

    [entry] = audit_entries(client, "instance.cc")
    assert (entry["userId"], entry["target"], entry["success"]) == ("cotton", instance_id, True)
    assert entry["source"] == "127.0.0.1"
    assert entry["details"]["users"] == ["officer"]


def test_a_refused_cc_grant_is_audited_as_a_failure_and_grants_nothing(ctx, client, rest):
    deploy_models(ctx)
    instance_id = start_application(rest("cotton"), "SQ-2026-001")
    response = client.post(f"/api/instances/{instance_id}/cc", headers=basic("cotton"),
                           json={"userIds": ["energy"]})
    assert response.status_code == 400

    [entry] = audit_entries(client, "instance.cc")
    assert (entry["userId"], entry["target"], entry["success"]) == ("cotton", instance_id, False)
    assert entry["details"]["users"] == ["energy"]
    assert client.get(f"/engine-rest/process-instance/{instance_id}", headers=basic("energy")).status_code == 404


def test_a_deployment_is_audited_and_a_refused_one_too(client, rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    refused = client.post("/engine-rest/deployment/create", headers=basic("officer"),
                          data={"deployment-name": "x"}, content_type="multipart/form-data")
    assert refused.status_code == 403

    entries = audit_entries(client, "deployment.create")
    assert [(e["userId"], e["success"]) for e in entries] == [("officer", False), ("analyst", True)]
    assert entries[1]["details"]["definitions"] == ["job_two_steps:1"]


def test_deleting_an_instance_is_audited_and_a_refused_deletion_too(client, rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    instance_id = start(rest("cotton"), "job_two_steps")["id"]
    assert rest("energy").delete(f"/process-instance/{instance_id}").status_code == 404
    assert rest("manager").delete(f"/process-instance/{instance_id}").status_code == 403
    assert rest("officer").delete(f"/process-instance/{instance_id}?deleteReason=重复申报").status_code == 204

    entries = audit_entries(client, "instance.delete")
    assert [(e["userId"], e["success"], e["target"]) for e in entries] == [
        ("officer", True, instance_id), ("manager", False, instance_id)]
    assert entries[0]["details"]["reason"] == "重复申报"


def test_giving_a_job_its_retries_back_is_audited_and_only_administrators_may(client, rest):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    instance_id = start(rest("officer"), "job_boundary_timer")["id"]
    [job] = rest("officer").get(f"/job?processInstanceId={instance_id}").get_json()
    assert rest("officer").put(f"/job/{job['id']}/retries", json={"retries": 2}).status_code == 403
    assert rest("admin").put(f"/job/{job['id']}/retries", json={"retries": 2 ** 31}).status_code == 400
    assert rest("admin").put(f"/job/{job['id']}/retries", json={"retries": 2}).status_code == 204

    entries = audit_entries(client, "job.retries")
    assert [(e["userId"], e["success"], e["target"]) for e in entries] == [
        ("admin", True, job["id"]), ("officer", False, job["id"])]
    assert entries[0]["details"]["processInstanceId"] == instance_id
