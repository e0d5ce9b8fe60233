"""The officers' Tasklist in a real browser (Chromium): sign-in, the establishment path
from application to approval as the demo users, validation and recovery, 退回 and
resubmission, 转办, scoping by URL, the pages under their Content-Security-Policy, and
a new user's first password."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core import accounts
from app.models import User, UserGroup
from tests.support.apps import FAST_DEMO_HASH
from tests.support.browser import policy_violations, screenshot
from tests.support.establishment import (
    EXPERT_PANEL, MANUAL_REASON, application, assign_experts, formal_review, signature, start_application,
    end_only_publicity, to_formal_review, uniform_sheet,
)

pytestmark = pytest.mark.e2e


def new_application(cotton) -> None:
    cotton.page.goto("/start")
    cotton.page.click("[data-testid=start-tic_establishment] button")
    expect(cotton.page.get_by_test_id("task-name")).to_have_text("填报组建申请与建设方案")


def submit_application(cotton, **overrides) -> None:
    new_application(cotton)
    cotton.fill_form(application(**overrides))
    cotton.submit()
    expect(cotton.page.get_by_role("status").first).to_contain_text("已提交")


def work_on(officer, name: str, values: dict) -> None:
    officer.take_task(name)
    officer.fill_form(values)
    officer.submit()
    expect(officer.page.get_by_role("status").first).to_contain_text("已提交")


# ------------------------------------------------------------------ sign-in


def test_login_logout_and_wrong_password(officers):
    visitor = officers()
    visitor.login("cotton", "wrong")
    expect(visitor.page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    visitor.login("cotton")
    expect(visitor.page.get_by_test_id("current-user")).to_contain_text("天棉集团申报人")
    expect(visitor.page.get_by_test_id("current-user")).to_contain_text("新疆天棉纺织集团有限公司")
    screenshot(visitor, "inbox")
    visitor.logout()
    expect(visitor.page.get_by_role("heading", name="用户登录")).to_be_visible()
    visitor.page.goto("/tasks")
    assert "/login" in visitor.page.url


def test_form_without_csrf_token_is_refused(officers):
    visitor = officers()
    visitor.page.goto("/login")
    visitor.page.evaluate("document.querySelector('form.login-form input[name=csrf_token]').remove()")
    visitor.page.fill("#username", "cotton")
    visitor.page.fill("#password", "demo")
    visitor.page.click("button[type=submit].primary")
    expect(visitor.page.get_by_test_id("csrf-refused")).to_contain_text("请求来源不可信")
    visitor.page.goto("/tasks")
    assert "/login" in visitor.page.url


def test_english_switch(officers):
    officer = officers("officer")
    officer.page.click("[data-testid=language-switch]")
    expect(officer.page.get_by_test_id("box-todo")).to_contain_text("To do")
    officer.page.click("[data-testid=language-switch]")
    expect(officer.page.get_by_test_id("box-todo")).to_contain_text("待办任务")


def test_english_switch_names_the_step_and_the_form_fields_in_english(officers):
    cotton = officers("cotton")
    cotton.page.click("[data-testid=language-switch]")
    cotton.page.goto("/start")
    cotton.page.click("[data-testid=start-tic_establishment] button")

    expect(cotton.page.get_by_test_id("task-name")).to_have_text("Fill in application and construction plan")
    expect(cotton.page.locator('label[for="f-centerName"]')).to_have_text("Center name*")
    expect(cotton.page.get_by_test_id("current-steps")).to_have_text("Fill in application and construction plan")
    cotton.page.click("[data-testid=language-switch]")
    expect(cotton.page.get_by_test_id("task-name")).to_have_text("填报组建申请与建设方案")
    expect(cotton.page.locator('label[for="f-centerName"]')).to_have_text("中心名称*")


# ------------------------------------------------------------------ the whole path


def test_establishment_from_application_to_approval(officers, rest):
    cotton = officers("cotton")
    submit_application(cotton)

    urumqi = officers("urumqi")
    work_on(urumqi, "推荐部门审核", {"recommenderDecision": "approve", "recommenderOpinion": "方案可行，同意推荐"})
    work_on(urumqi, "筹建准备并致函推荐", {
        "preparatoryBoardFormed": True, "recommendationLetterNo": "乌政函〔2026〕12号",
        "recommenderSignature": signature("李明", "经审核，同意推荐")})

    officer = officers("officer")
    work_on(officer, "形式审查", {"formalReviewDecision": "pass", "formalReviewOpinion": "材料齐全，符合组建条件"})
    officer.take_task("遴选论证专家")
    for expert in EXPERT_PANEL:
        officer.page.check(f'[data-people="experts"] input[value="{expert}"]')
    officer.fill_form({"panelReason": MANUAL_REASON})
    officer.submit()
    expect(officer.page.get_by_role("status").first).to_contain_text("已提交")
    for expert, score in EXPERT_PANEL.items():
        reviewer = officers(expert)
        work_on(reviewer, "专家论证评分", {**uniform_sheet(score), "expertOpinion": f"{expert}：目标明确，任务可行",
                                           "expertRecommend": True})
    work_on(officer, "实地评估", {"siteVisitPassed": True, "siteVisitReport": "研发场地、人员和设备到位",
                                 "siteVisitDate": "2026-03-01"})

    leader = officers("leader")
    leader.open_task("审批决定（择优确定）")  # the only leader: in 待办, nothing to claim
    expect(leader.page.get_by_test_id("claim")).to_have_count(0)
    opinions = leader.page.get_by_test_id("opinions")
    expect(opinions).to_contain_text("方案可行，同意推荐")
    expect(opinions).to_contain_text("材料齐全，符合组建条件")
    expect(opinions).to_contain_text("推荐部门审核")
    expect(leader.page.get_by_test_id("current-steps")).to_contain_text("审批决定（择优确定）")
    expect(leader.page.locator("#diagram[data-rendered]")).to_be_attached()
    expect(leader.page.locator(".djs-element.current-step")).to_have_count(1)
    screenshot(leader, "approval")
    leader.fill_form({"approvalDecision": "approve", "approvalOpinion": "同意组建"})
    leader.submit()
    expect(leader.page.get_by_role("status").first).to_contain_text("已提交")
    end_only_publicity(rest)  # the approval is 拟批准: the center is registered when its 公示 ends

    cotton.page.goto("/tasks?box=started")
    row = cotton.page.get_by_test_id("inbox-table").locator("tbody tr").first
    expect(row).to_contain_text("新疆棉花和纺织服装技术创新中心")
    expect(row).to_contain_text("已办结")
    row.get_by_role("link").first.click()
    expect(cotton.page.get_by_test_id("instance-state")).to_contain_text("已办结")
    expect(cotton.page.get_by_test_id("instance-outcome")).to_contain_text("批准组建（中心编号 XJTIC-2026-001）")
    expect(cotton.page.locator(".djs-element.path-end[data-element-id=end_approved]")).to_have_count(1)
    expect(cotton.page.locator(".djs-connection.path-flow").first).to_be_attached()
    expect(cotton.page.get_by_test_id("opinions")).to_contain_text("同意组建")
    # Experts' scores and opinions stay with the department.
    expect(cotton.page.get_by_test_id("opinions")).not_to_contain_text("目标明确")


# ------------------------------------------------------------------ validation


def test_validation_error_is_shown_beside_the_field_and_nothing_typed_is_lost(officers):
    cotton = officers("cotton")
    new_application(cotton)
    values = application(centerName="天山技术中心")
    cotton.fill_form(values)
    cotton.page.fill('[name="leadUnit.debtRatio"]', "五十五")
    cotton.submit()
    expect(cotton.error_for("centerName")).to_contain_text("中心名称：格式不正确")
    expect(cotton.error_for("leadUnit.debtRatio")).to_contain_text("应填写数字")
    expect(cotton.page.locator('[name="centerName"]')).to_have_value("天山技术中心")
    expect(cotton.page.locator('[name="coBuilders.2.name"]')).to_have_value("新疆纺织服装产业园")
    expect(cotton.page.locator('[name="plan.goals"]')).to_have_value(values["plan"]["goals"])
    expect(cotton.page.locator('[name="legalEntity"][value="independent"]')).to_be_checked()
    screenshot(cotton, "validation")

    cotton.page.fill('[name="centerName"]', "新疆棉花和纺织服装技术创新中心")
    cotton.page.fill('[name="leadUnit.debtRatio"]', "55")
    cotton.submit()
    expect(cotton.page.get_by_role("status").first).to_contain_text("已提交")


# ------------------------------------------------------------------ 退回, 转办


def test_send_back_and_resubmission(officers):
    cotton = officers("cotton")
    submit_application(cotton)
    urumqi = officers("urumqi")
    urumqi.open_task("推荐部门审核")
    urumqi.page.locator("summary", has_text="退回").click()
    urumqi.page.get_by_test_id("return-target").select_option("fill_application")
    urumqi.page.get_by_test_id("return-opinion").fill("请补充共建单位的产业链分工")
    urumqi.page.get_by_test_id("send-back-submit").click()
    expect(urumqi.page.get_by_role("status").first).to_contain_text("已退回")

    cotton.open_task("填报组建申请与建设方案", "todo")
    expect(cotton.page.get_by_test_id("returned-notice")).to_contain_text("请补充共建单位的产业链分工")
    expect(cotton.page.locator('[name="centerName"]')).to_have_value("新疆棉花和纺织服装技术创新中心")
    cotton.submit()
    expect(cotton.page.get_by_role("status").first).to_contain_text("已提交")

    urumqi.take_task("推荐部门审核")
    expect(urumqi.page.get_by_test_id("opinions")).to_contain_text("请补充共建单位的产业链分工")


@pytest.fixture
def second_officer(ctx):
    """Another S&T Department officer, so that there is someone to transfer to."""
    with ctx.db.command() as session:
        user = User(id="officer2", display_name="科技厅经办人二", password_hash=FAST_DEMO_HASH,
                    organization_id="kjt", is_demo=True)
        user.group_rows = [UserGroup(user_id="officer2", group_id="department")]
        session.add(user)
    return "officer2"


def test_transfer_hands_the_task_to_a_colleague(officers, second_officer):
    cotton = officers("cotton")
    submit_application(cotton)
    urumqi = officers("urumqi")
    work_on(urumqi, "推荐部门审核", {"recommenderDecision": "approve", "recommenderOpinion": "同意推荐"})
    work_on(urumqi, "筹建准备并致函推荐", {
        "preparatoryBoardFormed": True, "recommendationLetterNo": "乌政函〔2026〕13号",
        "recommenderSignature": signature("李明", "同意推荐")})
    officer = officers("officer")
    officer.open_task("形式审查", "claimable")
    officer.claim()
    officer.page.locator("summary", has_text="转办").click()
    officer.page.get_by_test_id("transfer-user").select_option(second_officer)
    officer.page.get_by_test_id("transfer-opinion").fill("请你负责本件形式审查")
    officer.page.get_by_test_id("transfer-submit").click()
    expect(officer.page.get_by_role("status").first).to_contain_text("已转办")

    colleague = officers(second_officer)
    expect(colleague.page.get_by_test_id("unread-count")).to_have_text("1")
    colleague.open_task("形式审查", "todo")
    expect(colleague.page.get_by_test_id("assignee")).to_contain_text("科技厅经办人二（自治区科学技术厅）")


# ------------------------------------------------------------------ scoping


def test_a_lead_unit_cannot_open_another_units_task_by_url(officers):
    cotton = officers("cotton")
    new_application(cotton)
    url = cotton.page.url
    assert re.search(r"/tasks/[0-9a-f-]{36}$", url)
    energy = officers("energy")
    response = energy.page.goto(url)
    assert response.status == 404
    expect(energy.page.get_by_test_id("error-page")).to_contain_text("页面不存在或无权查看")


# ------------------------------------------------------------------ content security policy


def test_task_form_diagram_and_instance_page_work_under_the_policy(officers):
    cotton = officers()
    violations = policy_violations(cotton)
    cotton.login("cotton")
    expect(cotton.page.get_by_test_id("current-user")).to_contain_text("天棉集团申报人")
    cotton.page.goto("/start")
    cotton.page.click("[data-testid=start-tic_establishment] button")
    expect(cotton.page.get_by_test_id("task-name")).to_have_text("填报组建申请与建设方案")
    expect(cotton.page.locator("#diagram[data-rendered]")).to_be_attached()
    expect(cotton.page.locator(".djs-element.current-step")).to_have_count(1)
    viewport = cotton.page.locator("#diagram .viewport")
    fitted = viewport.get_attribute("transform")
    cotton.page.click("[data-diagram-zoom=in]")
    expect(viewport).not_to_have_attribute("transform", fitted)
    cotton.page.click("[data-diagram-zoom=fit]")
    expect(viewport).to_have_attribute("transform", fitted)

    # The form's script adds a row in place (no round trip) and shows fields by condition.
    add = cotton.page.locator("[data-add-row]").first
    rows_of = add.get_attribute("data-add-row")
    before = cotton.page.locator(f'[data-rows-of="{rows_of}"] > .row-card').count()
    add.click()
    expect(cotton.page.locator(f'[data-rows-of="{rows_of}"] > .row-card')).to_have_count(before + 1)

    cotton.page.goto("/tasks?box=started")
    cotton.page.get_by_test_id("inbox-table").locator("tbody tr").first.get_by_role("link").first.click()
    expect(cotton.page.get_by_test_id("instance-state")).to_be_visible()
    expect(cotton.page.locator("#diagram[data-rendered]")).to_be_attached()
    assert violations == []


# ------------------------------------------------------------------ the first password


def test_a_new_user_sets_a_password_of_their_own_before_anything_else(officers, ctx):
    with ctx.db.command() as session:
        accounts.create_user(ctx, session, "cli:test", "cli", "wang", "王经办", "kjt",
                             ["department"], "Tianshan-2026")
    wang = officers()
    wang.login("wang", "Tianshan-2026")
    expect(wang.page.get_by_test_id("password-required")).to_contain_text("首次登录时修改")
    wang.page.goto("/tasks?box=claimable")
    assert "/account/password" in wang.page.url
    wang.page.fill("#currentPassword", "Tianshan-2026")
    wang.page.fill("#newPassword", "short")
    wang.page.fill("#confirmPassword", "shorter")
    wang.page.click("[data-testid=password-submit]")
    expect(wang.error_for("newPassword")).to_contain_text("密码长度至少 8 位")
    expect(wang.error_for("confirmPassword")).to_contain_text("两次输入的新密码不一致")
    expect(wang.page.locator("#currentPassword")).to_have_value("Tianshan-2026")
    wang.page.fill("#newPassword", "Kashgar#Oasis9")
    wang.page.fill("#confirmPassword", "Kashgar#Oasis9")
    wang.page.click("[data-testid=password-submit]")
    expect(wang.page.get_by_role("status").first).to_contain_text("密码已修改")
    expect(wang.page.get_by_test_id("box-claimable")).to_have_class("active")


def test_copy_picks_people_by_unit_or_name_with_search(officers):
    cotton = officers("cotton")
    submit_application(cotton)
    cotton.page.goto("/tasks?box=started")
    cotton.page.get_by_test_id("inbox-table").locator("tbody tr").first.get_by_role("link").first.click()
    cotton.page.locator("summary", has_text="抄送").click()

    cotton.page.get_by_test_id("cc-users-search").fill("科学技术厅")
    visible = cotton.page.locator("#cc-users option:not([hidden])")
    expect(visible).not_to_have_count(0)
    expect(cotton.page.locator('#cc-users optgroup[label="自治区科学技术厅"]')).to_be_visible()
    expect(cotton.page.locator("#cc-users optgroup:not([hidden])")).to_have_count(1)
    cotton.page.get_by_test_id("cc-users-search").fill("科技厅领导")
    expect(visible).to_have_count(1)
    cotton.page.get_by_test_id("cc-users").select_option("leader")
    cotton.page.get_by_test_id("cc-submit").click()
    expect(cotton.page.get_by_role("status").first).to_contain_text("抄送")


def test_the_expert_review_sub_process_opens_from_the_case_diagram(officers, rest):
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    assert assign_experts(rest("officer"), instance_id, list(EXPERT_PANEL)).status_code == 204

    officer = officers("officer")
    officer.page.goto(f"/instances/{instance_id}")
    expect(officer.page.locator("#diagram[data-rendered]")).to_be_attached()
    officer.page.click(".djs-element[data-element-id=call_expert_review]")

    expect(officer.page.locator("#diagram[data-called=tic_expert_review]")).to_be_attached()
    expect(officer.page.locator(".djs-element.current-step[data-element-id=expert_review]")).to_have_count(1)
    expect(officer.page.locator(".djs-element.path-done[data-element-id=assign_experts]")).to_have_count(1)
    officer.page.get_by_test_id("diagram-back").click()
    expect(officer.page.locator(".djs-element[data-element-id=call_expert_review]")).to_have_count(1)
    expect(officer.page.get_by_test_id("diagram-back")).to_be_hidden()
