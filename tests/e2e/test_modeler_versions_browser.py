"""The modeler's version and migration pages in a real browser (Chromium). An application
runs on version 1 of tic_establishment; version 2 renames 形式审查 and adds a step before it.
The analyst sees the added and changed elements marked on the diagram and listed, plans the
migration and dry-runs it (the application can move) but may not execute; the admin
executes, watches the progress and the report, and undoes the batch (R28)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot
from tests.support.establishment import ROOT, start_application
from tests.support.jobs import deployed, historic_instance

pytestmark = pytest.mark.e2e

RENAMED = "形式审查（2026年版指引）"
ADDED = "核对推荐函"


def version_2(rest) -> None:
    """tic_establishment with formal_review renamed and check_letter added before it."""
    diagram = (ROOT / "bpmn" / "tic_establishment.bpmn").read_text(encoding="utf-8")
    for old, new in (
        ('<bpmn:userTask id="formal_review" name="形式审查"', f'<bpmn:userTask id="formal_review" name="{RENAMED}"'),
        ('<bpmn:sequenceFlow id="flow_letter_formal" sourceRef="recommend_letter" targetRef="formal_review"/>',
         '<bpmn:sequenceFlow id="flow_letter_formal" sourceRef="recommend_letter" targetRef="check_letter"/>\n'
         f'    <bpmn:userTask id="check_letter" name="{ADDED}" camunda:candidateGroups="department" '
         'camunda:formKey="tic/formal_review"/>\n'
         '    <bpmn:sequenceFlow id="flow_check_formal" sourceRef="check_letter" targetRef="formal_review"/>'),
        ('<di:waypoint x="1730" y="470"/>\n        <di:waypoint x="1850" y="470"/>\n        <di:waypoint x="1850" y="660"/>',
         '<di:waypoint x="1730" y="470"/>\n        <di:waypoint x="1800" y="470"/>'),
        ('<bpmndi:BPMNShape id="formal_review_di"',
         '<bpmndi:BPMNShape id="check_letter_di" bpmnElement="check_letter"><dc:Bounds x="1800" y="430" '
         'width="100" height="80"/></bpmndi:BPMNShape>\n      <bpmndi:BPMNEdge id="flow_check_formal_di" '
         'bpmnElement="flow_check_formal"><di:waypoint x="1850" y="510"/><di:waypoint x="1850" y="660"/>'
         '</bpmndi:BPMNEdge>\n      <bpmndi:BPMNShape id="formal_review_di"'),
    ):
        assert old in diagram, old
        diagram = diagram.replace(old, new, 1)
    files = {"tic_establishment.bpmn": diagram.encode()}
    for table in ("tic_eligibility", "tic_evaluation_cycle"):
        files[f"{table}.dmn"] = (ROOT / "bpmn" / f"{table}.dmn").read_bytes()
    (definition,) = [d for d in deployed(rest("analyst"), files, "2026年版指引")["deployedProcessDefinitions"].values()
                     if d["key"] == "tic_establishment"]
    assert definition["version"] == 2


def watched(officer) -> list[str]:
    errors: list[str] = []
    officer.page.on("pageerror", lambda error: errors.append(str(error)))
    officer.page.on("dialog", lambda dialog: dialog.accept())
    return errors


def test_an_analyst_sees_the_diff_and_dry_runs_and_an_admin_migrates_and_undoes(officers, rest):
    instance = start_application(rest("cotton"), "SQ-2026-001")
    version_2(rest)

    analyst = officers("analyst")
    errors = watched(analyst)
    page = analyst.page
    page.get_by_test_id("versions-link-tic_establishment").click()
    expect(page.get_by_test_id("diff-title")).to_have_text("第 1 版 → 第 2 版的差异")
    expect(page.locator("#diff-newer[data-rendered]")).to_be_attached()
    expect(page.locator("#diff-newer .djs-element.diff-added[data-element-id=check_letter]")).to_have_count(1)
    expect(page.locator("#diff-newer .djs-element.diff-added[data-element-id=flow_check_formal]")).to_have_count(1)
    changed = page.locator("#diff-newer .djs-element.diff-changed[data-element-id=formal_review]")
    expect(changed).to_contain_text(RENAMED)
    expect(page.get_by_test_id("diff-added")).to_contain_text(ADDED)
    expect(page.get_by_test_id("diff-changed").locator("[data-changed=formal_review]")).to_contain_text(
        f"名称： 形式审查 → {RENAMED}")
    page.get_by_test_id("diff-added").get_by_role("link", name=ADDED).click()
    expect(page.locator("#diff-newer .djs-element.selected[data-element-id=check_letter]")).to_have_count(1)
    screenshot(analyst, "versions-diff")

    page.get_by_test_id("migration-link").click()
    expect(page.get_by_test_id("map-fill_application")).to_have_value("fill_application")
    expect(page.get_by_test_id("execute-help")).to_have_text("只有系统管理员可以执行迁移；业务分析员可以制定映射并试迁移。")
    page.get_by_test_id("dry-run").click()
    expect(page.get_by_test_id("movable")).to_contain_text("SQ-2026-001")
    expect(page.get_by_test_id("execute")).to_be_disabled()
    migration_url = page.url
    assert errors == []

    admin = officers("admin")
    errors = watched(admin)
    page = admin.page
    page.goto(migration_url)
    page.get_by_test_id("dry-run").click()
    expect(page.get_by_test_id("movable")).to_contain_text("SQ-2026-001")
    page.get_by_test_id("execute").click()
    expect(page.get_by_test_id("migration-status")).to_have_text("迁移完成")
    expect(page.get_by_test_id("migration-progress")).to_contain_text("已处理 1/1：已迁移 1，未迁移 0")
    expect(page.get_by_test_id("migration-report").locator(f'tr[data-instance-id="{instance}"]')).to_contain_text(
        "SQ-2026-001")
    assert historic_instance(rest("admin"), instance)["processDefinitionVersion"] == 2
    page.get_by_test_id("batches").scroll_into_view_if_needed()
    screenshot(admin, "migration-report")

    batch = page.get_by_test_id("batches").locator("li[data-batch-id]")
    expect(batch).to_have_count(1)
    batch.get_by_test_id("undo").click()
    expect(page.get_by_test_id("migration-status")).to_have_text("已撤销：1 个实例迁回原版本")
    expect(batch).to_contain_text("已撤销")
    assert historic_instance(rest("admin"), instance)["processDefinitionVersion"] == 1
    assert errors == []
