"""/publicity in a real browser: a visitor who never signs in follows the link on the sign-in
page to the 公示 of an approved application, is told in Chinese what is wrong with a bad
contact (the objection kept), then objects; the department finds the objection in its inbox."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import policy_violations
from tests.support.establishment import approval, to_approval

pytestmark = pytest.mark.e2e

OBJECTION = "该中心牵头单位近三年存在严重失信行为，不符合组建条件，请核实。"


def test_a_visitor_objects_on_the_publicity_page_without_signing_in(officers, rest):
    approval(rest("leader"), to_approval(rest), "approve", publicity_ends=False)
    visitor = officers()
    violations = policy_violations(visitor)
    page = visitor.page
    page.goto("/login")
    page.get_by_test_id("publicity-link").click()
    expect(page.get_by_test_id("publicity-entry")).to_contain_text("2026年3月3日至2026年3月9日")
    page.get_by_role("link", name="新疆棉花和纺织服装技术创新中心").click()
    expect(page.get_by_test_id("publicity-center")).to_have_text("新疆棉花和纺织服装技术创新中心")
    expect(page.locator("main")).not_to_contain_text("86.33")

    page.locator("#name").fill("王建华")
    page.locator("#contact").fill("12345")
    page.locator("#text").fill(OBJECTION)
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("请填写有效的手机号码（11位）、固定电话（区号-号码）或电子邮箱")).to_be_visible()
    expect(page.locator("#text")).to_have_value(OBJECTION)
    page.locator("#contact").fill("13899887766")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已收到，科技厅将核实处理。")).to_be_visible()

    officer = officers("officer")
    officer.page.goto("/tasks")
    expect(officer.page.locator("text=处理公示异议 >> visible=true").first).to_be_visible()
    assert violations == []
