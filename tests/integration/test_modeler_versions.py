"""The modeler's version page and migration page over HTTP (issue 11): a process's versions
and the diff of two of them for whoever may see the process; the migration page where
analysts plan and dry-run and admins execute a batch the page drives a few instances per
request, with its progress, its report and its undo (R28: whatever is not migrated keeps
its version)."""
from __future__ import annotations

import json
import re

import pytest

from app.web.modeler import migration_page
from tests.support.clients import Api
from tests.support.jobs import bpmn, complete, deployed, form_files, historic_instance, only_task, start
from tests.support.web import text

PAGE = "/modeler/bpmn/mig_review"
GENERATED = {"first_review": "first_review", "wait_publication": "wait_publication"}


def deploy(rest, version: int) -> None:
    deployed(rest("analyst"), {**form_files(), "mig_review.bpmn": bpmn(f"mig_review_v{version}.bpmn")}, f"v{version}")


def two_versions_and_two_instances(rest) -> dict:
    """`waiting` at first_review (kept in v2), `decided` at final_review (renamed in v2)."""
    officer = rest("officer")
    deploy(rest, 1)
    waiting, decided = start(officer, "mig_review")["id"], start(officer, "mig_review")["id"]
    assert complete(officer, only_task(officer, decided)["id"], {"approved": True}).status_code == 204
    deploy(rest, 2)
    return {"waiting": waiting, "decided": decided}


def version_of(rest, instance_id: str) -> int:
    return historic_instance(rest("admin"), instance_id)["processDefinitionVersion"]


def post(browser, path: str, **fields):
    """A form post of the page's script: JSON values as text, with the page's token."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    return browser.post(path, data, token_from=f"{PAGE}/versions")


def plan(mapping: dict | None = None, **fields) -> dict:
    return {"from": "1", "to": "2", "mapping": GENERATED if mapping is None else mapping, **fields}


def test_the_version_page_lists_the_versions_and_the_diff_of_the_previous_and_the_latest(web, rest):
    case = two_versions_and_two_instances(rest)
    response = web("analyst").get(f"{PAGE}/versions")
    assert response.status_code == 200
    page = text(response)
    assert re.search(r'data-testid="running-v1">2<', page) and re.search(r'data-testid="running-v2">0<', page)
    assert page.count("业务分析员") >= 2
    assert f'href="{PAGE}?version=1"' in page and f'href="{PAGE}?version=2"' in page
    assert "第 1 版 → 第 2 版的差异" in page
    added = section(page, "diff-added")
    assert 'data-element-id="leader_review"' in added and 'data-element-id="publish"' in added
    assert "用户任务" in added
    assert 'data-element-id="final_review"' in section(page, "diff-removed")
    changed = section(page, "diff-changed")
    assert re.search(r"<strong>候选组</strong>：\s*<del>department</del> → <ins>department,agency</ins>", changed)
    markers = json.loads(re.search(r'data-markers="([^"]+)"', page).group(1).replace("&#34;", '"'))
    assert "final_review" in markers["removed"] and "publish" in markers["added"]
    assert 'data-testid="migration-link"' in page
    assert case["waiting"]


def section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start:page.index('<div class="diff-list', start + 1) if testid != "diff-changed" else None]


def test_a_renamed_task_shows_its_old_and_new_name_under_its_chinese_label(web, rest):
    deploy(rest, 1)
    renamed = bpmn("mig_review_v1.bpmn").replace('name="初审"'.encode(), 'name="初步审核"'.encode())
    deployed(rest("analyst"), {**form_files(), "mig_review.bpmn": renamed}, "renamed")
    page = text(web("officer").get(f"{PAGE}/versions?from=1&to=2"))
    assert re.search(r"<strong>名称</strong>：\s*<del>初审</del> → <ins>初步审核</ins>", section(page, "diff-changed"))


def test_one_version_only_says_there_is_nothing_to_compare(web, rest):
    deploy(rest, 1)
    page = text(web("analyst").get(f"{PAGE}/versions"))
    assert "该流程只有一个已部署版本，没有可比较的版本。" in page
    assert 'id="diff-diagrams"' not in page and 'data-testid="migration-link"' not in page


def test_an_officer_views_the_versions_but_is_refused_the_migration_page(web, rest):
    two_versions_and_two_instances(rest)
    officer = web("officer")
    page = text(officer.get(f"{PAGE}/versions"))
    assert "第 1 版 → 第 2 版的差异" in page and 'data-testid="migration-link"' not in page
    page = officer.get(f"{PAGE}/migration")
    assert page.status_code == 403 and "只有业务分析员或管理员可以制定和试运行迁移计划" in text(page)
    refused = post(officer, f"{PAGE}/migration/dry-run", **plan())
    assert refused.status_code == 403 and "只有业务分析员或管理员" in refused.get_json()["message"]


def test_an_unknown_process_or_version_is_a_404_in_chinese(web, rest):
    deploy(rest, 1)
    analyst = web("analyst")
    unknown = analyst.get("/modeler/bpmn/no_such_process/versions")
    assert unknown.status_code == 404 and "流程 no_such_process 尚未部署" in text(unknown)
    missing = analyst.get(f"{PAGE}/versions?from=1&to=7")
    assert missing.status_code == 404 and "没有第 7 版" in text(missing)
    assert analyst.get(f"{PAGE}/versions?from=x").status_code == 404
    assert analyst.get(f"{PAGE}/migration?to=9").status_code == 404


def test_the_migration_page_offers_the_mapping_generated_by_activity_id(web, rest):
    two_versions_and_two_instances(rest)
    response = web("analyst").get(f"{PAGE}/migration")
    assert response.status_code == 200
    page = text(response)
    rows = re.findall(r'data-testid="map-(\w+)"(.*?)</select>', page, re.S)
    mapped = {source: re.search(r'<option value="(\w*)" selected', options) for source, options in rows}
    assert {s: found.group(1) for s, found in mapped.items() if found} == GENERATED
    assert mapped["final_review"] is None
    assert 'data-may-execute="false"' in page and "只有系统管理员可以执行迁移" in page


def test_an_analyst_dry_runs_and_sees_which_instances_can_move_and_why_the_others_cannot(web, rest):
    case = two_versions_and_two_instances(rest)
    response = post(web("analyst"), f"{PAGE}/migration/dry-run", **plan())
    assert response.status_code == 200, response.get_json()
    reports = {r["processInstanceId"]: r for r in response.get_json()["instances"]}
    assert reports[case["waiting"]]["canMigrate"] is True
    (reason,) = reports[case["decided"]]["reasons"]
    assert reason["activityId"] == "final_review" and "没有迁移映射" in reason["message"]
    assert " / " not in reason["message"]
    assert version_of(rest, case["waiting"]) == 1


def test_a_mapping_changed_by_hand_is_the_one_dry_run(web, rest):
    case = two_versions_and_two_instances(rest)
    analyst = web("analyst")
    by_hand = {**GENERATED, "final_review": "leader_review", "withdrawn": "withdrawn"}
    overridden = post(analyst, f"{PAGE}/migration/dry-run", **plan(by_hand))
    assert all(r["canMigrate"] for r in overridden.get_json()["instances"])
    unmapped = post(analyst, f"{PAGE}/migration/dry-run", **plan({"wait_publication": "wait_publication"}))
    movable = {r["processInstanceId"]: r["canMigrate"] for r in unmapped.get_json()["instances"]}
    assert movable == {case["waiting"]: False, case["decided"]: False}
    wrong = post(analyst, f"{PAGE}/migration/dry-run", **plan({"final_review": "wait_publication"}))
    (failure,) = wrong.get_json()["instructionReports"]
    assert failure["source"] == "final_review" and "活动类型不同" in failure["failures"][0]


def test_an_analyst_may_not_execute(web, rest, client):
    case = two_versions_and_two_instances(rest)
    refused = post(web("analyst"), f"{PAGE}/migration/batches", **plan(instances=[case["waiting"]]))
    assert refused.status_code == 403
    assert "只有系统管理员可以执行流程实例迁移" in refused.get_json()["message"]
    assert version_of(rest, case["waiting"]) == 1
    (entry,) = Api(client, "admin").get("/audit?action=instance.migrate").get_json()
    assert (entry["userId"], entry["success"]) == ("analyst", False)


def test_an_admin_executes_a_batch_the_page_drives_with_its_progress(web, rest, client, monkeypatch):
    monkeypatch.setattr(migration_page, "STEPS_PER_REQUEST", 1)
    case = two_versions_and_two_instances(rest)
    admin = web("admin")
    started = post(admin, f"{PAGE}/migration/batches", **plan(instances=[case["waiting"], case["decided"]]))
    assert started.status_code == 200, started.get_json()
    batch = started.get_json()
    assert (batch["total"], batch["processed"], batch["finished"]) == (2, 0, False)
    assert version_of(rest, case["waiting"]) == 1

    step = admin.post(f"/modeler/migration/batches/{batch['batchId']}/continue", {}, token_from=f"{PAGE}/versions")
    assert step.get_json()["processed"] == 1 and step.get_json()["migratedCount"] == 1
    status = admin.get(f"/modeler/migration/batches/{batch['batchId']}").get_json()
    assert (status["processed"], status["migratedCount"], status["finished"]) == (1, 1, False)
    assert version_of(rest, case["waiting"]) == 2

    last = admin.post(f"/modeler/migration/batches/{batch['batchId']}/continue", {}, token_from=f"{PAGE}/versions")
    report = last.get_json()
    counts = (report["processed"], report["migratedCount"], report["skippedCount"], report["finished"])
    assert counts == (2, 1, 1, True)
    assert report["migrated"] == [case["waiting"]]
    assert set(report["businessKeys"]) == {case["waiting"], case["decided"]}
    (skipped,) = report["skipped"]
    assert skipped["processInstanceId"] == case["decided"] and "没有迁移映射" in skipped["reasons"][0]["message"]
    assert version_of(rest, case["decided"]) == 1
    (entry,) = Api(client, "admin").get("/audit?action=instance.migrate").get_json()
    assert entry["success"] is True and entry["details"]["migrated"] == [case["waiting"]]
    (listed,) = admin.get(f"{PAGE}/migration/batches").get_json()
    assert listed["batchId"] == batch["batchId"] and listed["createdByName"].startswith("系统管理员")


def test_an_undo_moves_the_batch_back(web, rest):
    case = two_versions_and_two_instances(rest)
    admin = web("admin")
    batch = post(admin, f"{PAGE}/migration/batches", **plan(instances=[case["waiting"]])).get_json()
    admin.post(f"/modeler/migration/batches/{batch['batchId']}/continue", {}, token_from=f"{PAGE}/versions")
    assert version_of(rest, case["waiting"]) == 2
    analyst_undo = post(web("analyst"), f"/modeler/migration/batches/{batch['batchId']}/undo")
    assert analyst_undo.status_code == 403

    undone = post(admin, f"/modeler/migration/batches/{batch['batchId']}/undo")
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["migrated"] == [case["waiting"]]
    assert version_of(rest, case["waiting"]) == 1
    (listed,) = admin.get(f"{PAGE}/migration/batches").get_json()
    assert listed["undoneBy"] == undone.get_json()["batchId"]


def test_an_undo_after_an_instance_moved_on_is_refused_in_chinese(web, rest):
    case = two_versions_and_two_instances(rest)
    admin = web("admin")
    batch = post(admin, f"{PAGE}/migration/batches", **plan(instances=[case["waiting"]])).get_json()
    admin.post(f"/modeler/migration/batches/{batch['batchId']}/continue", {}, token_from=f"{PAGE}/versions")
    officer = rest("officer")
    assert complete(officer, only_task(officer, case["waiting"])["id"], {"approved": True}).status_code == 204

    refused = post(admin, f"/modeler/migration/batches/{batch['batchId']}/undo")
    assert refused.status_code == 409
    assert refused.get_json()["message"].startswith("以下实例在迁移后已继续流转，不能撤销")
    assert version_of(rest, case["waiting"]) == 2


@pytest.mark.parametrize("field, value", [("mapping", "not json"), ("mapping", "[1]"), ("instances", "[]")])
def test_a_malformed_post_is_a_400_naming_the_field(web, rest, field, value):
    two_versions_and_two_instances(rest)
    fields = {**plan(instances=["x"]), field: value}
    response = post(web("admin"), f"{PAGE}/migration/batches", **fields)
    assert response.status_code == 400 and response.get_json()["message"].startswith(f"{field}：")
