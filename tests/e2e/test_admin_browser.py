"""The admin pages in a real browser: the administrator creates a department officer, who
signs in with the first password, is made to choose their own and then works; from the
cockpit the administrator retries an incident and terminates a case with a reason."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.platform.jobs import execute_due_jobs
from tests.support.browser import policy_violations, screenshot
from tests.support.handlers import SERVICE
from tests.support.jobs import deployed, model_files, only_job, start, task_keys

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


@pytest.fixture
def registry_down():
    SERVICE.update(fail=True, calls=0)
    yield SERVICE
    SERVICE.update(fail=False, calls=0)


def test_the_admin_retries_an_incident_from_the_cockpit(officers, ctx, clock, rest, registry_down):
    deployed(rest("analyst"), model_files("job_service_call.bpmn"))
    instance_id = start(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"]
    while only_job(rest("admin"), instance_id)["retries"] > 0:
        clock.advance(timedelta(minutes=5))
        execute_due_jobs(ctx)
    registry_down["fail"] = False

    admin = officers("admin")
    admin.page.goto(f"{admin.base_url}/cockpit/instances/{instance_id}")
    expect(admin.page.get_by_test_id("cockpit-incidents")).to_contain_text("登记系统不可用")
    admin.page.get_by_test_id("ops-retry-submit").click()
    expect(admin.page.get_by_role("status").first).to_contain_text("作业已重新排队")
    assert execute_due_jobs(ctx) == 1

    admin.page.reload()
    expect(admin.page.get_by_test_id("cockpit-incidents")).to_have_count(0)
    assert task_keys(rest("admin"), instance_id) == ["check"]
    screenshot(admin, "cockpit-retried")


def test_the_admin_terminates_a_case_with_a_reason_from_the_cockpit(officers, rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    instance_id = start(rest("officer"), "job_two_steps")["id"]
    admin = officers("admin")
    admin.page.goto(f"{admin.base_url}/cockpit/instances/{instance_id}")

    admin.page.get_by_test_id("ops-cancellation-submit").click()
    expect(admin.page.get_by_test_id("ops-error-reason")).to_have_text("请填写操作原因")
    admin.page.get_by_test_id("ops-cancellation-reason").fill("申报单位书面撤销申请")
    admin.page.get_by_test_id("ops-cancellation-submit").click()

    expect(admin.page.get_by_test_id("cockpit-instance-state")).to_have_text("已终止")
    expect(admin.page.get_by_test_id("cockpit-outcome-reason")).to_have_text("申报单位书面撤销申请")
    expect(admin.page.get_by_test_id("cockpit-operations")).to_have_count(0)
