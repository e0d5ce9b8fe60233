"""/rounds in a real browser: the officer closes the current round, opens the next one from the
side navigation (a wrong date told beside its field, the rest kept); a lead unit's start is
then refused on the start page, naming the next round's dates."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import policy_violations

pytestmark = pytest.mark.e2e


def test_the_officer_closes_this_round_and_opens_the_next_then_a_start_names_the_next(officers):
    officer = officers("officer")
    violations = policy_violations(officer)
    officer.page.goto("/rounds/2026-01")
    officer.page.get_by_test_id("round-close").click()
    expect(officer.page.get_by_test_id("round-state")).to_have_text("已关闭")
    officer.page.click("[data-testid=nav-rounds]")
    form = officer.page.get_by_test_id("round-new")
    form.locator("#title").fill("2026年第二批自治区技术创新中心申报")
    form.locator("#opensOn").fill("2026-09-01")
    form.locator("#closesOn").fill("2026-08-01")
    form.locator("input[name=fields][value=coal]").check()
    form.locator("#quota").fill("3")
    form.locator("button[type=submit]").click()
    expect(officer.page.get_by_text("截止日期：不能早于开始日期")).to_be_visible()
    form = officer.page.get_by_test_id("round-new")
    expect(form.locator("#title")).to_have_value("2026年第二批自治区技术创新中心申报")
    form.locator("#closesOn").fill("2026-10-31")
    form.locator("button[type=submit]").click()
    expect(officer.page.locator("h1")).to_have_text("2026年第二批自治区技术创新中心申报")
    expect(officer.page.get_by_test_id("round-state")).to_have_text("未开始")

    cotton = officers("cotton")
    cotton.page.goto("/start")
    cotton.page.get_by_test_id("start-tic_establishment").locator("button").click()
    expect(cotton.page.get_by_test_id("start-refused")).to_contain_text("2026年9月1日至2026年10月31日")
    assert violations == []
