"""The working-day calendar page in a real browser: the administrator is warned of next
year from 1 December, enters its Spring Festival, fixes a mistyped day and deletes it."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.clock import SHANGHAI
from tests.support.browser import policy_violations

pytestmark = pytest.mark.e2e


def test_the_admin_enters_next_years_holidays_after_the_warning(officers, clock):
    clock.freeze(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    admin = officers()
    violations = policy_violations(admin)
    admin.login("admin")
    admin.page.goto("/cockpit")
    expect(admin.page.get_by_test_id("calendar-warning")).to_contain_text("尚未录入 2027 年的节假日与调休")
    admin.page.get_by_test_id("calendar-warning").get_by_role("link").click()
    expect(admin.page.get_by_test_id("year-unknown")).to_contain_text("2027 年尚未录入节假日")

    form = admin.page.get_by_test_id("new-holiday-form")
    form.locator("#day").fill("2027-02-07")
    form.locator("#kind").select_option("workday")
    form.locator("#name").fill("")
    form.get_by_role("button").click()
    expect(admin.page.get_by_test_id("admin-errors")).to_be_visible()
    expect(form.locator("[data-error-for=name]")).to_contain_text("名称：此项为必填项")
    expect(form.locator("#day")).to_have_value("2027-02-07")

    form.locator("#name").fill("春节")
    form.get_by_role("button").click()
    row = admin.page.locator("[data-day='2027-02-07']")
    expect(row).to_contain_text("星期日")
    expect(admin.page.get_by_test_id("calendar-warning")).to_have_count(0)

    row.locator("input[name=day]").fill("2027-02-20")
    row.get_by_role("button", name="保存").click()
    moved = admin.page.locator("[data-day='2027-02-20']")
    expect(moved).to_contain_text("星期六")
    moved.get_by_test_id("delete-2027-02-20").click()
    expect(admin.page.locator("[data-day='2027-02-20']")).to_have_count(0)
    expect(admin.page.get_by_test_id("calendar-warning")).to_be_visible()
    assert violations == []
