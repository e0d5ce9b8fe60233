"""The analysts' modeler over HTTP: the list of deployed models, the check that guards
deployment (errors block, warnings do not), drafts, deploying a new version from the page
(running instances stay on theirs, R28), and who may edit (analysts, admins) or only view."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.establishment import start_application
from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")

ESTABLISHMENT = (Path(__file__).resolve().parents[2] / "bpmn" / "tic_establishment.bpmn").read_text(encoding="utf-8")
RECOMMENDER_REVIEW = ('camunda:candidateGroups="recommender:${recommenderOrg}" '
                      'camunda:formKey="tic/recommender_review"')


def edited(old: str, new: str) -> str:
    assert old in ESTABLISHMENT
    return ESTABLISHMENT.replace(old, new, 1)


def post_xml(browser, path: str, xml: str):
    return browser.post(path, {"xml": xml}, token_from="/modeler")


def test_an_analyst_lands_on_the_modeler_which_lists_every_model(web):
    analyst = web("analyst")
    assert analyst.get("/").location.endswith("/modeler")
    page = text(analyst.get("/modeler"))
    for key in ("tic_establishment", "tic_expert_review", "tic_eligibility", "tic_funding", "tic/fill_application"):
        assert f"<code>{key}</code>" in page
    assert 'data-testid="nav-modeler"' in page and "新建流程图" in page and "打开本地 BPMN/DMN 文件" in page
    assert re.search(r'data-testid="versions-tic_establishment">1<', page)
    assert "系统（项目模型）" in page


def test_running_instances_are_counted_per_version(web, rest):
    start_application(rest("cotton"))
    page = text(web("analyst").get("/modeler"))
    assert re.search(r'data-testid="running-tic_establishment">\s*第 1 版：1', page)


def test_an_officer_is_refused_editing_but_sees_the_diagram(web, ctx):
    officer = web("officer")
    refused = officer.get("/modeler")
    assert refused.status_code == 403 and "无权编辑模型" in text(refused)
    assert 'data-testid="nav-modeler"' not in text(officer.get("/tasks"))
    view = officer.get("/modeler/bpmn/tic_establishment")
    assert view.status_code == 200
    assert 'data-mode="view"' in text(view) and "只读查看" in text(view)
    assert officer.get("/modeler/bpmn/tic_establishment/xml").get_data().startswith(b"<?xml")
    assert post_xml(officer, "/modeler/deploy", ESTABLISHMENT).status_code == 403
    assert officer.get("/modeler/choices.json").status_code == 403


def test_the_check_says_a_missing_form_is_an_error_and_a_task_without_candidates_a_warning(web):
    xml = edited(RECOMMENDER_REVIEW, 'camunda:formKey="tic/no_such_form"')
    found = post_xml(web("analyst"), "/modeler/check", xml).get_json()
    assert found["key"] == "tic_establishment"
    assert [(p["elementId"], p["message"]) for p in found["errors"]] == [
        ("recommender_review", "表单不存在：tic/no_such_form")]
    assert [p["elementId"] for p in found["warnings"]] == ["recommender_review"]
    assert "候选组" in found["warnings"][0]["message"]


def test_a_clean_diagram_checks_without_problems(web):
    found = post_xml(web("analyst"), "/modeler/check", ESTABLISHMENT).get_json()
    assert found == {"key": "tic_establishment", "errors": [], "warnings": []}


def test_a_draft_with_errors_is_kept_per_analyst_and_reopened(web, ctx):
    xml = edited('name="推荐部门审核"', 'name="推荐单位审核"').replace("tic/recommender_review", "tic/missing", 1)
    analyst = web("analyst")
    saved = post_xml(analyst, "/modeler/drafts", xml)
    assert saved.status_code == 200, text(saved)
    assert saved.get_json()["url"] == "/modeler/bpmn/tic_establishment" and saved.get_json()["errors"]
    page = text(analyst.get("/modeler/bpmn/tic_establishment"))
    assert 'data-testid="draft-notice"' in page and "draft=1" in page
    assert "推荐单位审核" in analyst.get("/modeler/bpmn/tic_establishment/xml?draft=1").get_data(as_text=True)
    assert web("admin").get("/modeler/bpmn/tic_establishment/xml?draft=1").status_code == 404
    assert "model.draft" in audit_actions(ctx)


def test_deploying_from_the_page_makes_version_two_and_running_instances_stay(web, rest, ctx):
    cotton = rest("cotton")
    before = start_application(cotton)
    xml = edited('name="推荐部门审核"', 'name="推荐单位审核"')
    deployed = post_xml(web("analyst"), "/modeler/deploy", xml)
    assert deployed.status_code == 200, text(deployed)
    assert deployed.get_json()["version"] == 2 and "第 2 版" in deployed.get_json()["message"]
    assert cotton.get(f"/process-instance/{before}").json["definitionId"].startswith("tic_establishment:1:")
    after = start_application(cotton)
    assert cotton.get(f"/process-instance/{after}").json["definitionId"].startswith("tic_establishment:2:")
    assert "deployment.create" in audit_actions(ctx)
    again = post_xml(web("analyst"), "/modeler/deploy", xml).get_json()
    assert again["version"] is None and "未产生新版本" in again["message"]


def test_a_diagram_with_errors_is_not_deployed(web):
    xml = edited(RECOMMENDER_REVIEW, 'camunda:formKey="tic/no_such_form"')
    refused = post_xml(web("analyst"), "/modeler/deploy", xml)
    assert refused.status_code == 400
    assert [p["elementId"] for p in refused.get_json()["errors"]] == ["recommender_review"]
    assert "第 2 版" not in text(web("analyst").get("/modeler"))


def test_the_choices_offer_templates_for_topics_decisions_and_forms(web):
    choices = web("analyst").get("/modeler/choices.json").get_json()
    templates = {t["id"]: t for t in choices["templates"]}
    register = templates["ticflow.topic.register_center"]
    assert register["name"] == "登记中心" and register["appliesTo"] == ["bpmn:ServiceTask"]
    assert register["properties"] == [{"type": "Hidden", "value": "register_center",
                                       "binding": {"type": "property", "name": "camunda:topic"}}]
    assert "centerName" in register["description"]
    assert templates["ticflow.decision.tic_eligibility"]["appliesTo"] == ["bpmn:BusinessRuleTask"]
    assert "ticflow.form.tic/fill_application" in templates
    assert {"value": "department", "label": "科技厅处室"} in choices["groups"]
    assert any(f["value"] == "tic/fill_application" for f in choices["forms"])


def test_editing_pages_need_the_csrf_token(web):
    analyst = web("analyst")
    assert analyst.client.post("/modeler/check", data={"xml": ESTABLISHMENT}).status_code == 400


def audit_actions(ctx) -> list[str]:
    from app.core.audit import entries
    from app.core.identity import load_actor
    from app.core.paging import Page

    with ctx.db.read() as session:
        admin = load_actor(session, "admin")
        return [entry["action"] for entry in entries(session, admin, Page(0, 100))]


def test_a_new_diagram_opens_blank_for_analysts_only(web):
    page = web("admin").get("/modeler/new")
    assert page.status_code == 200 and 'data-mode="new"' in text(page)
    assert 'isExecutable=&#34;true&#34;' in text(page)
    assert web("manager").get("/modeler/new").status_code == 403


def test_a_draft_of_a_new_process_is_found_under_the_key_it_will_deploy_as(web):
    xml = ESTABLISHMENT.replace('id="tic_establishment"', 'id="tic_pilot"', 1)
    analyst = web("analyst")
    saved = post_xml(analyst, "/modeler/drafts", xml).get_json()
    assert saved["key"] == "tic_pilot" and saved["url"] == "/modeler/bpmn/tic_pilot"
    assert 'data-testid="draft-notice"' in text(analyst.get("/modeler/bpmn/tic_pilot"))
    assert "tic_pilot" in text(analyst.get("/modeler"))
    assert web("officer").get("/modeler/bpmn/tic_pilot").status_code == 404


def test_a_diagram_without_an_executable_process_cannot_be_kept(web):
    xml = ESTABLISHMENT.replace('isExecutable="true"', 'isExecutable="false"')
    refused = post_xml(web("analyst"), "/modeler/drafts", xml)
    assert refused.status_code == 400 and "没有可执行的流程" in refused.get_json()["message"]


ELIGIBILITY = (Path(__file__).resolve().parents[2] / "bpmn" / "tic_eligibility.dmn").read_text(encoding="utf-8")


def test_a_decision_file_opened_from_disk_is_checked_and_deployed_as_a_new_table_version(web):
    analyst = web("analyst")
    table = ELIGIBILITY.replace("<text>&gt;= 70</text>", "<text>&gt;= 65</text>", 1)
    assert post_xml(analyst, "/modeler/check", table).get_json() == {
        "key": "tic_eligibility", "errors": [], "warnings": []}
    deployed = post_xml(analyst, "/modeler/deploy", table).get_json()
    assert deployed["version"] == 2 and "决策表已部署为第 2 版" in deployed["message"]
    assert re.search(r'data-testid="versions-tic_eligibility">2<', text(analyst.get("/modeler")))
    refused = post_xml(analyst, "/modeler/drafts", table)
    assert refused.status_code == 400


def test_a_decision_file_with_a_cell_the_engine_refuses_is_not_deployed(web):
    table = ELIGIBILITY.replace("<text>&gt;= 70</text>", '<text>__import__("os")</text>', 1)
    refused = post_xml(web("analyst"), "/modeler/deploy", table)
    assert refused.status_code == 400
    assert [p["elementId"] for p in refused.get_json()["errors"]] == ["rule_r05_debt_ratio_ratio"]


def test_an_older_version_opens_by_its_number(web):
    analyst = web("analyst")
    assert post_xml(analyst, "/modeler/deploy", edited('name="推荐部门审核"', 'name="推荐单位审核"')).status_code == 200
    page = text(analyst.get("/modeler/bpmn/tic_establishment?version=1"))
    assert "/modeler/bpmn/tic_establishment/xml?version=1" in page and 'data-testid="modeler-version">第 1 版' in page
    older = analyst.get("/modeler/bpmn/tic_establishment/xml?version=1").get_data(as_text=True)
    assert "推荐部门审核" in older and "推荐单位审核" not in older
    assert "推荐单位审核" in analyst.get("/modeler/bpmn/tic_establishment/xml").get_data(as_text=True)
    for missing in ("9", "0", "abc"):
        missing_page = analyst.get(f"/modeler/bpmn/tic_establishment?version={missing}")
        assert missing_page.status_code == 404 and "页面不存在或无权查看" in text(missing_page)
