"""The admin pages in a real browser: the administrator creates a department officer, who
signs in with the first password, is made to choose their own and then works."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import policy_violations

pytestmark = pytest.mark.e2e


def test_the_admin_creates_a_user_who_can_then_sign_in(officers):
    admin = officers()
    violations = policy_violations(admin)
    admin.login("admin")
    admin.page.click("[data-testid=nav-admin]")
    admin.page.click("[data-testid=new-user]")
    admin.page.fill("#userId", "wang")
    admin.page.fill("#displayName", "王经办")
    admin.page.select_option("#organization", "kjt")
    admin.page.check('input[name=groups][value=department]')
    admin.page.fill("#password", "Tianshan-2026")
    admin.page.fill("#create-reason", "新入职经办人员")
    admin.page.click("[data-testid=create-user]")
    expect(admin.page.get_by_test_id("user-name")).to_have_text("王经办（wang）")
    expect(admin.page.get_by_role("status").first).to_contain_text("首次登录须修改密码")

    wang = officers()
    wang.login("wang", "Tianshan-2026")
    expect(wang.page.get_by_test_id("password-required")).to_be_visible()
    wang.page.fill("#currentPassword", "Tianshan-2026")
    wang.page.fill("#newPassword", "Kashgar#Oasis9")
    wang.page.fill("#confirmPassword", "Kashgar#Oasis9")
    wang.page.click("[data-testid=password-submit]")
    expect(wang.page.get_by_test_id("current-user")).to_contain_text("王经办")
    expect(wang.page.get_by_test_id("box-claimable")).to_be_visible()
    assert violations == []
