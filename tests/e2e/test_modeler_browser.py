"""The analysts' modeler in a real browser (Chromium): open tic_establishment, rename a
task in the properties panel, see the server's check mark an element whose form key names
no deployed form (an error that blocks deploying) and one without candidates (a warning
that does not), fix the error and deploy version 2."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot

pytestmark = pytest.mark.e2e


def test_an_analyst_renames_a_task_sees_the_check_and_deploys_version_two(officers):
    analyst = officers("analyst")
    page = analyst.page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    expect(page).to_have_url(f"{analyst.base_url}/modeler")
    page.get_by_test_id("edit-tic_establishment").click()
    expect(page.locator("#modeler-app[data-ready=true]")).to_have_count(1)
    expect(page.get_by_test_id("modeler-status")).to_have_text("检查通过，可以部署")

    page.click(".djs-element[data-element-id=recommender_review]")
    field(page, "group-general", "name").fill("推荐单位审核")
    expect(page.locator(".djs-element[data-element-id=recommender_review]")).to_contain_text("推荐单位审核")
    form_key = field(page, "group-CamundaPlatform__Form", "formKey")
    form_key.fill("tic/no_such_form")
    expect(page.locator(".djs-element.tic-problem-error[data-element-id=recommender_review]")).to_have_count(1)
    expect(page.get_by_test_id("problem-error")).to_contain_text("表单不存在：tic/no_such_form")
    expect(page.get_by_test_id("modeler-deploy")).to_be_disabled()
    screenshot(analyst, "modeler-error")

    form_key.fill("tic/recommender_review")
    expect(page.locator(".tic-problem-error")).to_have_count(0)
    page.click(".djs-element[data-element-id=formal_review]")
    field(page, "group-CamundaPlatform__UserAssignment", "candidateGroups").fill("")
    expect(page.locator(".djs-element.tic-problem-warning[data-element-id=formal_review]")).to_have_count(1)
    expect(page.get_by_test_id("problem-warning")).to_contain_text("候选组")
    expect(page.get_by_test_id("modeler-deploy")).to_be_enabled()
    page.get_by_test_id("modeler-deploy").click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("已部署为第 2 版")
    expect(page.get_by_test_id("modeler-version")).to_have_text("第 2 版")
    screenshot(analyst, "modeler-deployed")
    assert problems == []


def field(page, group: str, name: str):
    """A field of the properties panel, its group opened first (groups start closed)."""
    page.click(f"[data-group-id={group}] .bio-properties-panel-group-header")
    return page.locator(f"#bio-properties-panel-{name}")
