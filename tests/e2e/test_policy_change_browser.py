"""A policy change made entirely in the browser (issue 11, "done when"): the analyst raises
the R05 debt-ratio threshold in tic_eligibility and renames a step of tic_establishment,
deploys both, and the next application runs on them while the application already under
way keeps its version (R28). An officer may look at the diagram but not edit it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_modeler_browser import field
from tests.e2e.test_modeler_dmn_browser import type_into
from tests.support.establishment import (
    lead_unit, start_application, submit, task_keys, variables,
)

pytestmark = pytest.mark.e2e

RENAMED = "形式审查（含查重）"


def test_an_analyst_changes_a_threshold_and_a_step_and_the_next_application_runs_on_them(officers, rest):
    cotton = rest("cotton")
    under_way = start_application(cotton, "SQ-2026-001")
    analyst = officers("analyst")
    page = analyst.page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto("/modeler")
    page.get_by_test_id("edit-tic_eligibility").click()
    expect(page.locator("#dmn-app[data-ready=true]")).to_have_count(1)
    type_into(page.locator("td[data-element-id=rule_r05_debt_ratio_ratio]"), ">= 75")
    expect(page.get_by_test_id("modeler-status")).to_have_text("检查通过，可以部署")
    page.get_by_test_id("modeler-deploy").click()
    expect(page.get_by_test_id("modeler-version")).to_have_text("第 2 版")

    page.goto("/modeler")
    page.get_by_test_id("edit-tic_establishment").click()
    expect(page.locator("#modeler-app[data-ready=true]")).to_have_count(1)
    page.click(".djs-element[data-element-id=formal_review]")
    field(page, "group-general", "name").fill(RENAMED)
    expect(page.get_by_test_id("modeler-status")).to_have_text("检查通过，可以部署")
    page.get_by_test_id("modeler-deploy").click()
    expect(page.get_by_test_id("modeler-version")).to_have_text("第 2 版")
    assert problems == []

    indebted = {"leadUnit": lead_unit(debtRatio=72.0)}
    next_one = start_application(cotton, "SQ-2026-002")
    submit(cotton, next_one, **indebted)
    assert ":2:" in cotton.get(f"/process-instance/{next_one}").get_json()["definitionId"]
    assert variables(cotton, next_one)["eligible"] is True
    assert task_keys(rest("urumqi"), next_one) == ["recommender_review"]

    submit(cotton, under_way, **indebted)
    assert ":1:" in cotton.get(f"/process-instance/{under_way}").get_json()["definitionId"]
    assert variables(cotton, under_way)["eligibilityReasons"] == ["DEBT_RATIO_TOO_HIGH"]

    officer = officers("officer")
    assert officer.page.goto("/modeler").status == 403
    officer.page.goto("/modeler/bpmn/tic_establishment")
    expect(officer.page.locator(".djs-element[data-element-id=formal_review]")).to_contain_text(RENAMED)
    expect(officer.page.get_by_test_id("modeler-deploy")).to_have_count(0)
