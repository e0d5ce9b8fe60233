"""POST /signal: a signal reaches every running instance with an event waiting for it
(intermediate or boundary), with its variables; none waiting is no error; department staff
who act and service accounts send signals, nobody else."""
from __future__ import annotations

from app.engine.runtime import WorkflowEngine
from app.models import Organization
from app.platform.instance_cache import InstanceCache
from tests.support.jobs import deployed, historic_instance, model_files, start, tasks
from tests.support.tasklist import add_user

KEY = "signal_catch"


def two_waiting(rest) -> tuple[str, str]:
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    return start(rest("officer"), KEY)["id"], start(rest("officer"), KEY)["id"]


def signal(api, name: str, **body):
    return api.post("/signal", json={"name": name, **body})


def task_keys(api, instance_id: str) -> list[str]:
    return [t["taskDefinitionKey"] for t in tasks(api, instance_id)]


def test_a_signal_moves_every_instance_waiting_for_it_with_its_variables(rest):
    first, second = two_waiting(rest)
    officer = rest("officer")

    response = signal(officer, "PolicyChanged", variables={"policyNo": {"value": "新科发〔2026〕3号", "type": "String"}})

    assert response.status_code == 204, response.get_json()
    assert task_keys(officer, first) == task_keys(officer, second) == ["review"]
    for instance in (first, second):
        assert officer.get(f"/process-instance/{instance}/variables/policyNo").get_json()["value"] == "新科发〔2026〕3号"


def test_a_boundary_signal_interrupts_the_step_it_is_attached_to(rest):
    first, second = two_waiting(rest)
    officer = rest("officer")
    assert signal(officer, "PolicyChanged").status_code == 204

    assert signal(officer, "ReviewsFrozen").status_code == 204

    for instance in (first, second):
        assert historic_instance(officer, instance)["state"] == "COMPLETED"
        assert officer.get(f"/history/activity-instance?processInstanceId={instance}&activityId=stopped").get_json()


def test_a_signal_nobody_waits_for_is_no_error_and_changes_nothing(rest):
    first, _second = two_waiting(rest)
    officer = rest("officer")
    assert signal(officer, "ReviewsFrozen").status_code == 204
    assert signal(officer, "Unknown").status_code == 204
    assert task_keys(officer, first) == []
    still = officer.get(f"/execution?signalEventSubscriptionName=PolicyChanged&processInstanceId={first}")
    assert [e["processInstanceId"] for e in still.get_json()] == [first]


def test_an_execution_id_narrows_the_signal_to_that_execution(rest):
    first, second = two_waiting(rest)
    officer = rest("officer")
    [waiting] = officer.get(f"/execution?signalEventSubscriptionName=PolicyChanged&processInstanceId={first}").get_json()

    assert signal(officer, "PolicyChanged", executionId=waiting["id"]).status_code == 204

    assert task_keys(officer, first) == ["review"] and task_keys(officer, second) == []
    assert signal(officer, "PolicyChanged", executionId=waiting["id"]).status_code == 404


def test_executions_are_found_by_the_signal_they_wait_for(rest):
    first, second = two_waiting(rest)
    officer = rest("officer")
    waiting = officer.get("/execution?signalEventSubscriptionName=PolicyChanged").get_json()
    assert sorted(e["processInstanceId"] for e in waiting) == sorted([first, second])
    assert officer.get("/execution/count?signalEventSubscriptionName=ReviewsFrozen").get_json() == {"count": 0}
    assert signal(officer, "PolicyChanged", executionId=waiting[0]["id"]).status_code == 204
    assert officer.get("/execution/count?signalEventSubscriptionName=ReviewsFrozen").get_json() == {"count": 1}


def test_a_suspended_instance_catches_no_signal(rest):
    first, second = two_waiting(rest)
    assert rest("admin").put(f"/process-instance/{first}/suspended", json={"suspended": True}).status_code == 204
    assert signal(rest("officer"), "PolicyChanged").status_code == 204
    assert task_keys(rest("officer"), first) == [] and task_keys(rest("officer"), second) == ["review"]


def test_department_staff_and_service_accounts_send_signals_nobody_else(ctx, rest):
    first, _second = two_waiting(rest)
    for user in ("manager", "cotton", "analyst", "expert4"):
        refused = signal(rest(user), "PolicyChanged")
        assert refused.status_code == 403, user
    assert task_keys(rest("officer"), first) == []
    with ctx.db.command() as session:
        session.add(Organization(id="portal_org", name="自治区政务服务平台", kind="technical_institution"))
    add_user(ctx, "portal", "portal_org", ["service"])
    assert signal(rest("portal"), "PolicyChanged").status_code == 204
    assert task_keys(rest("officer"), first) == ["review"]


def test_a_bad_signal_is_a_400_naming_the_field(rest):
    officer = rest("officer")
    for body, field in [({}, "name"), ({"name": ""}, "name"), ({"name": 3}, "name"),
                        ({"name": "PolicyChanged", "executionId": 5}, "executionId"),
                        ({"name": "PolicyChanged", "tenantId": "t1"}, "tenantId"),
                        ({"name": "PolicyChanged", "foo": 1}, "foo")]:
        response = officer.post("/signal", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field, body


def test_a_signal_reaches_instances_a_worker_restores_from_the_database(ctx, rest):
    first, second = two_waiting(rest)
    ctx.engine = WorkflowEngine(ctx.clock)  # another worker: no parsed spec, no workflow in memory
    ctx.instances = InstanceCache(0)

    assert signal(rest("officer"), "PolicyChanged", variables={"round": {"value": 2, "type": "Integer"}}).status_code == 204

    assert task_keys(rest("officer"), first) == task_keys(rest("officer"), second) == ["review"]
    assert rest("officer").get(f"/process-instance/{second}/variables/round").get_json()["value"] == 2
