"""The decision table page /modeler/dmn/<key> over HTTP: the editor for analysts, read-only for
officers, its XML by version, and the 试算 panel's endpoint, which evaluates the table as
edited on the page (not only as deployed) with the engine processes use (R05: a debt ratio
of 70.0 % fails, 69.9 % passes)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")

ELIGIBILITY = (Path(__file__).resolve().parents[2] / "bpmn" / "tic_eligibility.dmn").read_text(encoding="utf-8")
DEBT_RATIO_CELL = "<text>&gt;= 70</text>"
# An eligible enterprise lead unit, column by column (the table's input ids); the debt ratio is
# what each test sets.
ENTERPRISE = {"in_lead_kind": "enterprise", "in_industry_leader": "true", "in_independent_rnd": "true",
              "in_regional_enterprises": "0", "in_core_cobuilders": "3", "in_legal_entity": "independent"}


def tried(browser, debt_ratio: str, xml: str = ELIGIBILITY, key: str = "tic_eligibility"):
    fields = {f"input.{name}": value for name, value in {**ENTERPRISE, "in_debt_ratio": debt_ratio}.items()}
    return browser.post(f"/modeler/dmn/{key}/evaluate", {"xml": xml, **fields}, token_from="/modeler")


def reasons(response) -> list[str]:
    assert response.status_code == 200, text(response)
    return [rule["outputs"]["eligibilityReasons"] for rule in response.get_json()["matched"]]


def test_an_analyst_opens_the_table_in_the_editor_with_its_trial_panel(web):
    page = web("analyst").get("/modeler/dmn/tic_eligibility")
    assert page.status_code == 200
    html = text(page)
    assert 'data-mode="edit"' in html and 'data-testid="modeler-deploy"' in html
    assert 'data-testid="dmn-trial"' in html and "/modeler/dmn/tic_eligibility/evaluate" in html
    assert 'data-testid="modeler-version">第 1 版' in html and "技术创新中心组建条件审查" in html


def test_the_catalog_links_each_decision_table_to_its_page(web):
    catalog = text(web("analyst").get("/modeler"))
    assert re.search(r'href="/modeler/dmn/tic_eligibility" data-testid="edit-tic_eligibility">编辑<', catalog)


def test_an_officer_sees_the_table_read_only_without_deploying_or_trying(web):
    officer = web("officer")
    html = text(officer.get("/modeler/dmn/tic_eligibility"))
    assert 'data-mode="view"' in html and "只读查看" in html
    assert 'data-testid="modeler-deploy"' not in html and 'data-testid="dmn-trial"' not in html
    assert officer.get("/modeler/dmn/tic_eligibility/xml").get_data().startswith(b"<?xml")
    assert tried(officer, "69.9").status_code == 403


def test_an_unknown_table_or_version_is_not_found_in_chinese(web):
    analyst = web("analyst")
    for path in ("/modeler/dmn/tic_nothing", "/modeler/dmn/tic_eligibility?version=2",
                 "/modeler/dmn/tic_eligibility?version=abc", "/modeler/dmn/tic_nothing/xml"):
        missing = analyst.get(path)
        assert missing.status_code == 404 and "页面不存在或无权查看" in text(missing), path


def test_r05_trial_evaluation_below_70_percent_is_eligible(web):
    assert reasons(tried(web("analyst"), "69.9")) == []


def test_r05_trial_evaluation_at_70_percent_is_not_eligible(web):
    response = tried(web("analyst"), "70.0")
    assert reasons(response) == ["DEBT_RATIO_TOO_HIGH"]
    [rule] = response.get_json()["matched"]
    assert rule["row"] == 1 and rule["ruleId"] == "rule_r05_debt_ratio" and rule["description"].startswith("R05")
    assert response.get_json()["hitPolicy"] == "COLLECT"


def test_the_trial_evaluates_the_table_as_edited_without_deploying_it(web):
    analyst = web("analyst")
    edited = ELIGIBILITY.replace(DEBT_RATIO_CELL, "<text>&gt;= 75</text>", 1)
    assert reasons(tried(analyst, "70.0", edited)) == []
    assert reasons(tried(analyst, "75", edited)) == ["DEBT_RATIO_TOO_HIGH"]
    assert reasons(tried(analyst, "70.0")) == ["DEBT_RATIO_TOO_HIGH"]
    assert re.search(r'data-testid="versions-tic_eligibility">1<', text(analyst.get("/modeler")))


def test_a_non_numeric_number_input_is_a_field_error_in_chinese(web):
    refused = tried(web("analyst"), "七十")
    assert refused.status_code == 400
    assert [(e["field"], e["message"]) for e in refused.get_json()["errors"]] == [
        ("in_debt_ratio", "申报前1年度资产负债率（%）：请输入数字，如 69.9")]


def test_a_cell_beyond_the_feel_subset_refuses_the_trial_with_the_located_message(web):
    edited = ELIGIBILITY.replace(DEBT_RATIO_CELL, "<text>date(\"2026-01-01\")</text>", 1)
    refused = tried(web("analyst"), "70.0", edited)
    assert refused.status_code == 400
    [error] = refused.get_json()["errors"]
    assert error["elementId"] == "rule_r05_debt_ratio_ratio" and "FEEL" in error["message"]


def test_an_unchanged_table_deployed_again_says_it_is_unchanged(web):
    analyst = web("analyst")
    edited = ELIGIBILITY.replace(DEBT_RATIO_CELL, "<text>&gt;= 75</text>", 1)
    first = analyst.post("/modeler/deploy", {"xml": edited}, token_from="/modeler").get_json()
    assert first["version"] == 2 and first["versionLabel"] == "第 2 版"
    again = analyst.post("/modeler/deploy", {"xml": edited}, token_from="/modeler").get_json()
    assert again["version"] is None and "未改变" in again["message"]
    page = text(analyst.get("/modeler/dmn/tic_eligibility?version=1"))
    assert 'data-testid="modeler-version">第 1 版' in page and "/modeler/dmn/tic_eligibility/xml?version=1" in page
    assert DEBT_RATIO_CELL in analyst.get("/modeler/dmn/tic_eligibility/xml?version=1").get_data(as_text=True)
    assert "&gt;= 75" in analyst.get("/modeler/dmn/tic_eligibility/xml").get_data(as_text=True)


def test_the_page_and_its_field_errors_follow_the_english_switch(web):
    analyst = web("analyst")
    analyst.post("/language", {"lang": "en", "next": "/modeler"})
    html = text(analyst.get("/modeler/dmn/tic_eligibility"))
    assert 'data-lang="en"' in html and ">Try</h2>" in html and 'data-no-match="No rule matched"' in html
    refused = tried(analyst, "seventy").get_json()
    assert refused["message"] == "some trial inputs are invalid"
    assert refused["errors"][0]["message"] == "申报前1年度资产负债率（%）: enter a number such as 69.9"
