"""Migrating running instances between versions over Camunda's REST shape (issue 11):
generate a plan, validate it with a dry run of the instances, execute as admin. A moved
instance finishes on version 2; one that cannot move stays on version 1 (R28)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import HistoricActivity, HistoryEvent, MessageSubscription
from tests.support.clients import Api
from tests.support.jobs import (
    bpmn, complete, deployed, form_files, historic_instance, only_job, only_task, start,
)

# A moved instance is taken from the instance cache, or restored from its JSON, alike.
pytestmark = pytest.mark.restored_and_cached

DECISIONS = {"approved": True}
# Who takes each step, by its candidate group (department / department_leader).
ACTOR_OF = {"first_review": "officer", "final_review": "leader", "leader_review": "leader",
            "publish": "officer"}


def deploy(rest, version: int) -> str:
    response = deployed(rest("analyst"), {**form_files(), "mig_review.bpmn": bpmn(f"mig_review_v{version}.bpmn")},
                        f"v{version}")
    (definition,) = response["deployedProcessDefinitions"].values()
    return definition["id"]


def two_versions_and_two_instances(rest) -> dict:
    """`waiting`: at first_review (kept in v2); `decided`: at final_review (renamed in v2)."""
    officer = rest("officer")
    source = deploy(rest, 1)
    waiting, decided = start(officer, "mig_review")["id"], start(officer, "mig_review")["id"]
    assert complete(officer, only_task(officer, decided)["id"], DECISIONS).status_code == 204
    return {"source": source, "target": deploy(rest, 2), "waiting": waiting, "decided": decided}


def generated(rest, case: dict, **extra) -> dict:
    response = rest("analyst").post("/migration/generate", json={
        "sourceProcessDefinitionId": case["source"], "targetProcessDefinitionId": case["target"], **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def migrated_events(ctx, instance_id: str) -> list[dict]:
    with ctx.db.read() as session:
        return [json.loads(details) for details in session.scalars(select(HistoryEvent.details_json).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == "instance_migrated"))]


def version_of(rest, instance_id: str) -> int:
    return historic_instance(rest("admin"), instance_id)["processDefinitionVersion"]


def finish(rest, instance_id: str) -> list[str]:
    """Complete every step and fire every timer; the user steps met, in order."""
    admin, met = rest("admin"), []
    while historic_instance(admin, instance_id)["state"] == "ACTIVE":
        found = admin.get(f"/task?processInstanceId={instance_id}").get_json()
        if found:
            key = found[0]["taskDefinitionKey"]
            met.append(key)
            assert complete(rest(ACTOR_OF[key]), found[0]["id"], DECISIONS).status_code == 204
        else:
            assert admin.post(f"/job/{only_job(admin, instance_id)['id']}/execute").status_code == 204
    return met


def test_generate_proposes_the_activities_that_keep_their_id(rest):
    case = two_versions_and_two_instances(rest)
    plan = generated(rest, case)
    assert plan["sourceProcessDefinitionId"] == case["source"]
    assert sorted(i["sourceActivityIds"][0] for i in plan["instructions"]) == ["first_review", "wait_publication"]
    assert all(i["sourceActivityIds"] == i["targetActivityIds"] for i in plan["instructions"])


def test_the_dry_run_says_which_instances_can_move_and_why_the_others_cannot(rest):
    case = two_versions_and_two_instances(rest)
    response = rest("analyst").post("/migration/validate", json=generated(rest, case))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["instructionReports"] == []
    reports = {r["processInstanceId"]: r for r in body["instanceReports"]}
    assert reports[case["waiting"]]["canMigrate"] is True
    (reason,) = reports[case["decided"]]["reasons"]
    assert (reason["activityId"], reason["reason"]) == ("final_review", "unmapped")
    assert "没有迁移映射" in reason["message"]
    assert version_of(rest, case["waiting"]) == 1


def test_an_admin_moves_what_can_move_and_the_rest_stays_on_its_version(rest, client, ctx):
    case = two_versions_and_two_instances(rest)
    plan = generated(rest, case)
    task_before = only_task(rest("officer"), case["waiting"])
    response = rest("admin").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [case["waiting"], case["decided"]]})
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["migrated"] == [case["waiting"]]
    assert [s["processInstanceId"] for s in report["skipped"]] == [case["decided"]]

    moved = only_task(rest("officer"), case["waiting"])
    assert moved["id"] == task_before["id"]
    assert moved["processDefinitionId"] == case["target"]
    assert version_of(rest, case["waiting"]) == 2
    assert finish(rest, case["waiting"]) == ["first_review", "leader_review", "publish"]
    assert version_of(rest, case["decided"]) == 1
    assert finish(rest, case["decided"]) == ["final_review"]

    (entry,) = Api(client, "admin").get("/audit?action=instance.migrate").get_json()
    assert entry["success"] is True and entry["details"]["migrated"] == [case["waiting"]]
    assert migrated_events(ctx, case["waiting"]) == [
        {"source": case["source"], "target": case["target"], "batch": report["batchId"]}]
    assert migrated_events(ctx, case["decided"]) == []


def test_a_step_renamed_by_hand_moves_with_its_claim_and_its_withdrawal_boundary(rest):
    case = two_versions_and_two_instances(rest)
    leader = rest("leader")
    task = only_task(leader, case["decided"])
    assert leader.post(f"/task/{task['id']}/claim", json={"userId": "leader"}).status_code == 204
    plan = generated(rest, case, overrides={"final_review": "leader_review"})
    response = rest("admin").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [case["decided"]]})
    assert response.get_json()["migrated"] == [case["decided"]], response.get_json()
    moved = only_task(leader, case["decided"])
    assert (moved["id"], moved["taskDefinitionKey"], moved["name"], moved["assignee"]) == (
        task["id"], "leader_review", "厅领导终审", "leader")
    assert finish(rest, case["decided"]) == ["leader_review", "publish"]


def test_an_analyst_plans_and_dry_runs_but_may_not_execute(rest, client):
    case = two_versions_and_two_instances(rest)
    plan = generated(rest, case)
    response = rest("analyst").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [case["waiting"]]})
    assert response.status_code == 403
    assert "只有系统管理员" in response.get_json()["message"]
    assert version_of(rest, case["waiting"]) == 1
    (entry,) = Api(client, "admin").get("/audit?action=instance.migrate").get_json()
    assert (entry["userId"], entry["success"]) == ("analyst", False)
    assert rest("officer").post("/migration/validate", json=plan).status_code == 403


def test_bad_input_is_a_400_naming_the_field(rest):
    case = two_versions_and_two_instances(rest)
    analyst, admin = rest("analyst"), rest("admin")
    missing = analyst.post("/migration/generate", json={"targetProcessDefinitionId": case["target"]})
    assert missing.status_code == 400
    assert missing.get_json()["errors"][0]["field"] == "sourceProcessDefinitionId"
    plan = generated(rest, case)
    plan["instructions"][0]["targetActivityIds"] = "first_review"
    malformed = analyst.post("/migration/validate", json=plan)
    assert malformed.status_code == 400
    assert malformed.get_json()["errors"][0]["field"] == "instructions[0].targetActivityIds"
    no_ids = admin.post("/migration/execute", json={"migrationPlan": generated(rest, case)})
    assert no_ids.get_json()["errors"][0]["field"] == "processInstanceIds"
    plan = generated(rest, case)
    plan["instructions"][0]["updateEventTrigger"] = True
    refused = analyst.post("/migration/validate", json=plan)
    assert refused.status_code == 400
    assert refused.get_json()["errors"][0]["field"] == "instructions[0].updateEventTrigger"


def test_an_instruction_that_cannot_hold_is_reported_and_refused_at_execution(rest):
    case = two_versions_and_two_instances(rest)
    plan = generated(rest, case)
    plan["instructions"].append({"sourceActivityIds": ["final_review"], "targetActivityIds": ["wait_publication"]})
    reports = rest("analyst").post("/migration/validate", json=plan).get_json()["instructionReports"]
    assert [r["instruction"]["sourceActivityIds"] for r in reports] == [["final_review"]]
    assert "活动类型不同" in reports[0]["failures"][0]
    refused = rest("admin").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [case["decided"]]})
    assert refused.status_code == 400
    assert refused.get_json()["type"] == "MigrationPlanValidationException"
    assert version_of(rest, case["decided"]) == 1


def test_a_boundary_event_the_target_lacks_leaves_with_its_subscription_and_activity(rest, ctx):
    officer = rest("officer")
    source = deploy(rest, 1)
    instance = start(officer, "mig_review")["id"]
    assert complete(officer, only_task(officer, instance)["id"], DECISIONS).status_code == 204
    text = bpmn("mig_review_v2.bpmn").decode()
    bare = text[:text.index('    <bpmn:boundaryEvent id="withdrawn"')] + text[text.index('    <bpmn:sequenceFlow id="f3"'):]
    (target,) = deployed(rest("analyst"), {**form_files(), "mig_review.bpmn": bare.encode()}, "bare")[
        "deployedProcessDefinitions"]
    plan = generated(rest, {"source": source, "target": target}, overrides={"final_review": "leader_review"})
    response = rest("admin").post("/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [instance]})
    assert response.get_json()["migrated"] == [instance], response.get_json()
    with ctx.db.read() as session:
        assert session.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == instance)).all() == []
        withdrawal = session.scalars(select(HistoricActivity).where(
            HistoricActivity.instance_id == instance, HistoricActivity.activity_id == "withdrawn")).one()
        assert withdrawal.end_time is not None and withdrawal.canceled
    assert finish(rest, instance) == ["leader_review", "publish"]


def test_an_admin_undoes_a_batch_while_no_instance_has_moved_on(rest, client):
    case = two_versions_and_two_instances(rest)
    plan = generated(rest, case, overrides={"final_review": "leader_review"})
    batch = rest("admin").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [case["waiting"], case["decided"]]}).get_json()
    assert sorted(batch["migrated"]) == sorted([case["waiting"], case["decided"]])
    assert Api(client, "analyst").post(f"/migrations/{batch['batchId']}/undo").status_code == 403

    undone = Api(client, "admin").post(f"/migrations/{batch['batchId']}/undo")
    assert undone.status_code == 200, undone.get_json()
    assert sorted(undone.get_json()["migrated"]) == sorted([case["waiting"], case["decided"]])
    assert version_of(rest, case["waiting"]) == version_of(rest, case["decided"]) == 1
    assert only_task(rest("leader"), case["decided"])["taskDefinitionKey"] == "final_review"
    again = Api(client, "admin").post(f"/migrations/{batch['batchId']}/undo")
    assert again.status_code == 409
    assert finish(rest, case["decided"]) == ["final_review"]


def test_a_batch_cannot_be_undone_once_an_instance_has_moved_on(rest, client):
    case = two_versions_and_two_instances(rest)
    batch = rest("admin").post("/migration/execute", json={
        "migrationPlan": generated(rest, case), "processInstanceIds": [case["waiting"]]}).get_json()
    officer = rest("officer")
    assert complete(officer, only_task(officer, case["waiting"])["id"], DECISIONS).status_code == 204
    refused = Api(client, "admin").post(f"/migrations/{batch['batchId']}/undo")
    assert refused.status_code == 409
    assert case["waiting"] in refused.get_json()["message"]
    assert version_of(rest, case["waiting"]) == 2
    assert Api(client, "admin").post("/migrations/no-such-batch/undo").status_code == 404


def test_the_async_variant_answers_the_migration_batch_done_for_the_instances_a_query_finds(rest, ctx):
    case = two_versions_and_two_instances(rest)
    admin = rest("admin")
    response = admin.post("/migration/executeAsync", json={
        "migrationPlan": generated(rest, case),
        "processInstanceQuery": {"processInstanceIds": [case["waiting"]]}, "skipCustomListeners": False})
    assert response.status_code == 200, response.get_json()
    batch = response.get_json()
    assert (batch["type"], batch["invocationsPerBatchJob"], batch["createUserId"]) == ("instance-migration", 1, "admin")
    assert version_of(rest, case["waiting"]) == 2 and version_of(rest, case["decided"]) == 1
    assert migrated_events(ctx, case["waiting"])[0]["batch"] == batch["id"]
    assert admin.get(f"/history/batch/{batch['id']}").get_json()["type"] == "instance-migration"
    for body, field in (({"processInstanceIds": [case["decided"]], "variables": {}}, "variables"),
                        ({"processInstanceIds": [case["decided"]], "skipIoMappings": "no"}, "skipIoMappings"),
                        ({"processInstanceQuery": {"businessKey": "NO-SUCH-CASE"}}, "processInstanceIds")):
        refused = admin.post("/migration/executeAsync", json={"migrationPlan": generated(rest, case), **body})
        assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == field, body
    assert version_of(rest, case["decided"]) == 1
