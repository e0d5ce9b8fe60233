"""Camunda's process-definition resource by id (read, XML, start, start form variables,
suspension) and by key (start form variables, suspension of every version, statistics)."""
from __future__ import annotations

from datetime import datetime, timezone

from app.platform.jobs import execute_due_jobs
from tests.support.clients import basic
from tests.support.jobs import complete, deployed, jobs, model_files, only_task, start, tasks

KEY = "def_start_form"


def deploy(rest) -> dict:
    return deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))


def definition_id(rest) -> str:
    return rest("officer").get(f"/process-definition/key/{KEY}").get_json()["id"]


def second_version(rest, old: str, new: str) -> None:
    files = model_files(f"{KEY}.bpmn")
    files[f"{KEY}.bpmn"] = files[f"{KEY}.bpmn"].replace(old.encode(), new.encode())
    deployed(rest("analyst"), files, "second")


def suspend(api, path: str, suspended: bool = True, **extra):
    return api.put(f"/process-definition{path}/suspended", json={"suspended": suspended, **extra})


def audit_actions(client, action: str) -> list[dict]:
    return client.get("/api/audit", headers=basic("admin"), query_string={"action": action}).get_json()


def test_a_definition_is_read_by_its_id_with_its_xml(rest):
    deploy(rest)
    officer = rest("officer")
    by_key = officer.get(f"/process-definition/key/{KEY}").get_json()

    by_id = officer.get(f"/process-definition/{by_key['id']}")
    xml = officer.get(f"/process-definition/{by_key['id']}/xml").get_json()

    assert by_id.status_code == 200 and by_id.get_json() == by_key
    assert xml["id"] == by_key["id"] and 'id="def_start_form"' in xml["bpmn20Xml"]
    missing = officer.get("/process-definition/no-such-definition")
    assert missing.status_code == 404 and missing.get_json()["type"] == "NotFoundException"
    assert officer.get(f"/process-definition/{by_key['id']}?foo=1").status_code == 400


def test_an_instance_starts_on_the_version_its_id_names(rest):
    deploy(rest)
    first = definition_id(rest)
    second_version(rest, 'name="审核"', 'name="复核"')
    assert definition_id(rest) != first

    response = rest("officer").post(f"/process-definition/{first}/start", json={
        "businessKey": "B-1", "variables": {"amount": {"value": 7, "type": "Long"}}})

    assert response.status_code == 200, response.get_json()
    started = response.get_json()
    assert started["definitionId"] == first and started["businessKey"] == "B-1"
    assert only_task(rest("officer"), started["id"])["name"] == "审核"
    bad = rest("officer").post(f"/process-definition/{first}/start", json={"businessKey": 5})
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "businessKey"


def test_starting_by_id_asks_what_starting_by_key_asks(rest):
    deploy(rest)
    refused = rest("manager").post(f"/process-definition/{definition_id(rest)}/start", json={})
    assert refused.status_code == 403
    assert rest("officer").post("/process-definition/nothing/start", json={}).status_code == 404


def test_the_start_form_variables_are_its_fields_with_types_and_defaults(rest):
    deploy(rest)
    officer = rest("officer")
    expected = {
        "title": {"value": "新申请", "type": "String", "valueInfo": {}},
        "amount": {"value": 100, "type": "Long", "valueInfo": {}},
        "urgent": {"value": False, "type": "Boolean", "valueInfo": {}},
        "level": {"value": None, "type": "String", "valueInfo": {}},
    }

    assert officer.get(f"/process-definition/{definition_id(rest)}/form-variables").get_json() == expected
    assert officer.get(f"/process-definition/key/{KEY}/form-variables").get_json() == expected
    narrowed = officer.get(f"/process-definition/key/{KEY}/form-variables?variableNames=amount,level")
    assert narrowed.get_json() == {n: expected[n] for n in ("amount", "level")}


def test_a_start_event_without_form_fields_has_no_form_variables(rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    response = rest("officer").get("/process-definition/key/job_two_steps/form-variables")
    assert response.status_code == 200 and response.get_json() == {}
    assert rest("officer").get("/process-definition/key/nothing/form-variables").status_code == 404


def test_a_suspended_definition_starts_nothing_until_it_is_resumed(rest, client):
    deploy(rest)
    admin, officer = rest("admin"), rest("officer")
    definition = definition_id(rest)

    assert suspend(admin, f"/{definition}").status_code == 204
    assert officer.get(f"/process-definition/{definition}").get_json()["suspended"] is True
    refused = officer.post(f"/process-definition/{definition}/start", json={})
    assert refused.status_code == 400 and "已挂起" in refused.get_json()["message"]
    assert officer.post(f"/process-definition/key/{KEY}/start", json={}).status_code == 400

    assert suspend(admin, f"/{definition}", False).status_code == 204
    assert officer.post(f"/process-definition/{definition}/start", json={}).status_code == 200
    assert [e["success"] for e in audit_actions(client, "definition.suspend")] == [True]
    assert [e["success"] for e in audit_actions(client, "definition.resume")] == [True]


def test_suspending_with_its_instances_suspends_the_running_ones(rest):
    deploy(rest)
    admin, officer = rest("admin"), rest("officer")
    running = start(officer, KEY)["id"]
    task = only_task(officer, running)

    assert suspend(admin, f"/key/{KEY}", includeProcessInstances=True).status_code == 204

    assert admin.get(f"/process-instance/{running}").get_json()["suspended"] is True
    refused = complete(officer, task["id"], {"approved": True})
    assert refused.status_code == 409 and refused.get_json()["type"] == "SuspendedEntityInteractionException"

    assert suspend(admin, f"/key/{KEY}", False, includeProcessInstances=True).status_code == 204
    assert admin.get(f"/process-instance/{running}").get_json()["suspended"] is False
    assert complete(officer, task["id"], {"approved": True}).status_code == 204


def test_suspending_without_its_instances_leaves_them_running(rest):
    deploy(rest)
    admin, officer = rest("admin"), rest("officer")
    running = start(officer, KEY)["id"]
    assert suspend(admin, f"/key/{KEY}", includeProcessInstances=False).status_code == 204
    assert admin.get(f"/process-instance/{running}").get_json()["suspended"] is False


def test_suspending_by_key_suspends_every_version(rest):
    deploy(rest)
    second_version(rest, 'name="审核"', 'name="复核"')

    assert suspend(rest("admin"), f"/key/{KEY}").status_code == 204

    listed = rest("officer").get(f"/process-definition?key={KEY}").get_json()
    assert len(listed) == 2 and all(d["suspended"] for d in listed)


def test_the_key_may_be_given_in_the_body(rest):
    deploy(rest)
    admin = rest("admin")
    response = admin.put("/process-definition/suspended", json={"processDefinitionKey": KEY, "suspended": True})
    assert response.status_code == 204
    assert admin.get(f"/process-definition/key/{KEY}").get_json()["suspended"] is True
    missing = admin.put("/process-definition/suspended", json={"suspended": True})
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["field"] == "processDefinitionKey"
    unknown = admin.put("/process-definition/suspended", json={"processDefinitionKey": "nothing", "suspended": True})
    assert unknown.status_code == 404


def test_a_suspended_definitions_timer_start_waits_until_it_is_resumed(ctx, rest, clock):
    deployed(rest("analyst"), model_files("job_timer_start.bpmn"))
    admin = rest("admin")
    [waiting] = admin.get("/process-instance?processDefinitionKey=job_timer_start").get_json()

    assert suspend(admin, "/key/job_timer_start").status_code == 204

    assert [j["suspended"] for j in jobs(admin, waiting["id"])] == [True]
    clock.advance(datetime(2026, 4, 1, 1, 1, tzinfo=timezone.utc) - clock.now())
    assert execute_due_jobs(ctx) == 0
    assert suspend(admin, "/key/job_timer_start", False).status_code == 204
    assert execute_due_jobs(ctx) == 1
    assert [t["taskDefinitionKey"] for t in tasks(admin, waiting["id"])] == ["publish_call"]


def test_only_administrators_suspend_and_a_refusal_is_audited(rest, client):
    deploy(rest)
    refused = suspend(rest("officer"), f"/key/{KEY}")
    assert refused.status_code == 403
    assert rest("officer").get(f"/process-definition/key/{KEY}").get_json()["suspended"] is False
    assert [e["success"] for e in audit_actions(client, "definition.suspend")] == [False]


def test_a_bad_suspension_body_is_a_400_naming_the_field(rest):
    deploy(rest)
    admin = rest("admin")
    cases = [({"suspended": "yes"}, "suspended"),
             ({"suspended": True, "includeProcessInstances": 1}, "includeProcessInstances"),
             ({"suspended": True, "executionDate": "2030-01-01T00:00:00.000+0800"}, "executionDate")]
    for body, field in cases:
        response = admin.put(f"/process-definition/key/{KEY}/suspended", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field
    assert admin.put("/process-definition/nothing/suspended", json={"suspended": True}).status_code == 404


def test_statistics_by_key_are_those_of_the_latest_version(rest):
    deploy(rest)
    start(rest("officer"), KEY)
    manager = rest("manager")
    by_key = manager.get(f"/process-definition/key/{KEY}/statistics")
    by_id = manager.get(f"/process-definition/{definition_id(rest)}/statistics")
    assert by_key.status_code == 200 and by_key.get_json() == by_id.get_json()
    assert [(s["id"], s["instances"]) for s in by_key.get_json()] == [("review", 1)]
    assert manager.get(f"/process-definition/key/{KEY}/statistics?foo=1").status_code == 400
