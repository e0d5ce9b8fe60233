"""The decision table page in a real browser (Chromium): an analyst opens tic_eligibility from
/modeler, tries a debt ratio of 69.9 % (eligible) and 70.0 % (not, R05) in the 试算 panel,
raises the threshold in the table to 75, sees 70.0 % pass on the edited table before
deploying, and deploys it as version 2: the deployed latest table then decides with the new
threshold while version 1 stays as it was."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot

pytestmark = pytest.mark.e2e

# An eligible enterprise lead unit, by input column (R04–R07 met); the debt ratio varies.
ENTERPRISE = {"in_lead_kind": "enterprise", "in_regional_enterprises": "0", "in_core_cobuilders": "3",
              "in_legal_entity": "independent"}
YES = ("in_industry_leader", "in_independent_rnd")


def test_an_analyst_tries_the_eligibility_table_edits_the_r05_threshold_and_deploys_version_two(officers, rest):
    analyst = officers("analyst")
    page = analyst.page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.get_by_test_id("edit-tic_eligibility").click()
    expect(page.locator("#dmn-app[data-ready=true]")).to_have_count(1)
    expect(page.get_by_test_id("modeler-status")).to_have_text("检查通过，可以部署")
    expect(page.get_by_test_id("modeler-version")).to_have_text("第 1 版")
    expect(page.locator(".hit-policy")).to_contain_text("命中策略：收集（Collect）")

    fill_enterprise(page)
    try_debt_ratio(page, "69.9")
    expect(page.get_by_test_id("trial-no-match")).to_have_text("没有规则命中")
    try_debt_ratio(page, "70.0")
    expect(page.get_by_test_id("trial-rule")).to_have_count(1)
    expect(page.get_by_test_id("trial-rule")).to_contain_text("第 1 条规则 R05")
    expect(page.get_by_test_id("trial-output-eligibilityReasons")).to_have_text("DEBT_RATIO_TOO_HIGH")
    screenshot(analyst, "modeler-dmn-trial")

    cell = page.locator("td[data-element-id=rule_r05_debt_ratio_ratio]")
    type_into(cell, "date(\"2026-01-01\")")
    expect(page.get_by_test_id("problem-error")).to_contain_text("[rule_r05_debt_ratio_ratio]")
    expect(page.get_by_test_id("problem-error")).to_contain_text("不支持的 FEEL 表达式")
    expect(page.get_by_test_id("modeler-deploy")).to_be_disabled()
    screenshot(analyst, "modeler-dmn-feel-error")
    type_into(cell, ">= 75")
    try_debt_ratio(page, "70.0")
    expect(page.get_by_test_id("trial-no-match")).to_be_visible()
    expect(page.get_by_test_id("modeler-status")).to_have_text("检查通过，可以部署")

    page.get_by_test_id("modeler-deploy").click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("决策表已部署为第 2 版")
    expect(page.get_by_test_id("modeler-version")).to_have_text("第 2 版")
    screenshot(analyst, "modeler-dmn-deployed")
    page.get_by_test_id("modeler-deploy").click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("未改变")
    assert problems == []

    api = rest("analyst")
    versions = api.get("/decision-definition?key=tic_eligibility").get_json()
    assert [d["version"] for d in versions] == [1, 2]
    assert evaluated(api, "key/tic_eligibility", 70.0) == []
    assert evaluated(api, "key/tic_eligibility", 75.0) == ["DEBT_RATIO_TOO_HIGH"]
    assert evaluated(api, versions[0]["id"], 70.0) == ["DEBT_RATIO_TOO_HIGH"]


def type_into(cell, text: str) -> None:
    """A click opens the cell's FEEL editor; what is typed replaces the cell's text."""
    cell.click()
    cell.page.keyboard.press("ControlOrMeta+A")
    cell.page.keyboard.type(text)
    expect(cell.locator(".cm-content")).to_have_text(text)


def fill_enterprise(page) -> None:
    for column, value in ENTERPRISE.items():
        page.get_by_test_id(f"trial-input-{column}").fill(value)
    for column in YES:
        page.get_by_test_id(f"trial-input-{column}").select_option("true")


def try_debt_ratio(page, value: str) -> None:
    """Type the debt ratio and press 试算; wait for this run's result, not the last one's."""
    page.get_by_test_id("trial-input-in_debt_ratio").fill(value)
    page.get_by_test_id("dmn-trial-run").click()
    expect(page.get_by_test_id("dmn-trial-result")).to_contain_text("试算结果")


def evaluated(api, path: str, debt_ratio: float) -> list[str]:
    """The reasons the deployed table gives an otherwise eligible enterprise (REST 试算)."""
    lead = {"kind": "enterprise", "isIndustryLeader": True, "hasIndependentRnd": True, "debtRatio": debt_ratio}
    variables = {
        "leadUnit": {"value": json.dumps(lead), "type": "Json"},
        "coBuilders": {"value": "[]", "type": "Json"},
        "legalEntity": {"value": "independent", "type": "String"},
        "legalEntityPlanDate": {"value": None, "type": "Null"},
    }
    response = api.post(f"/decision-definition/{path}/evaluate", json={"variables": variables})
    assert response.status_code == 200, response.get_json()
    return [result["eligibilityReasons"]["value"] for result in response.get_json()]
