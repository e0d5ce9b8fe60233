"""The analysts' form editor in a real browser (Chromium): open tic/fill_application from the
modeler, see the officers' form as a preview, rename a field in the schema editor and see
the preview follow, break the JSON and see the located Chinese error block deploying, fix
it, submit a sample with a wrong value and meet the officers' message beside the field, and
deploy version 2 — with no script error and nothing the page's policy blocks."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import policy_violations, screenshot

pytestmark = pytest.mark.e2e


def test_an_analyst_edits_checks_samples_and_deploys_a_form(officers):
    analyst = officers("analyst")
    page = analyst.page
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    blocked = policy_violations(analyst)
    expect(page).to_have_url(f"{analyst.base_url}/modeler")
    page.get_by_test_id("edit-form-tic/fill_application").click()
    expect(page.locator("#form-editor[data-ready=true]")).to_have_count(1)
    preview = page.get_by_test_id("form-preview")
    expect(preview.locator("label[for=f-centerName]")).to_contain_text("中心名称")

    schema = page.locator("[data-testid=schema-editor].code-editor")
    schema.locator(".cm-line span", has_text='"中心名称"').dblclick()
    page.keyboard.type("拟建中心全称")
    expect(preview.locator("label[for=f-centerName]")).to_contain_text("拟建中心全称")
    expect(page.get_by_test_id("form-deploy")).to_be_enabled()

    page.keyboard.press("Control+End")
    page.keyboard.type("x")
    expect(page.get_by_test_id("problem-error")).to_contain_text("JSON 语法错误：JSON 结束后还有多余的内容")
    expect(page.get_by_test_id("problem-error")).to_contain_text("表单结构（JSON Schema）第")
    expect(page.get_by_test_id("form-deploy")).to_be_disabled()
    screenshot(analyst, "form-editor-error")
    page.keyboard.press("Backspace")
    expect(page.get_by_test_id("problem-error")).to_have_count(0)
    expect(page.get_by_test_id("form-deploy")).to_be_enabled()

    analyst.fill_form({"centerName": "新疆棉纺技术创新中心", "leadUnit": {"kind": "enterprise", "debtRatio": "很高"}})
    page.get_by_test_id("sample-submit").click()
    expect(analyst.error_for("leadUnit.debtRatio")).to_have_text("申报前1年度资产负债率（%）：应填写数字")
    expect(page.get_by_test_id("form-status")).to_have_text("样例数据未通过校验，见各字段提示")
    expect(page.locator("[name='leadUnit.debtRatio']")).to_have_value("很高")
    screenshot(analyst, "form-editor-sample")

    page.get_by_test_id("form-deploy").click()
    expect(page.get_by_test_id("form-status")).to_contain_text("表单已部署为第 2 版")
    expect(page.get_by_test_id("form-version")).to_have_text("第 2 版")
    assert problems == [] and blocked == []
