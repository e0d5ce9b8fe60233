"""A whole establishment walked in the real browser as each role would, at a desktop width
(1400 px) and a phone width (390 px) (issue 13): whoever alone can act finds the task in
待办 without claiming it, every page fits the screen, the finished case says its outcome,
and the recommender and an expert reach the case from 已办 afterwards."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_phone_width import overflow
from tests.support.browser import Officer
from tests.support.establishment import (
    EXPERT_PANEL, MANUAL_REASON, application, end_only_publicity, signature, uniform_sheet,
)

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(WIDTHS))
def as_role(request, officers):
    size = WIDTHS[request.param]

    def open_as(user: str) -> Officer:
        officer = officers()
        officer.page.set_viewport_size(size)
        officer.login(user)
        return officer

    return open_as


def fits(officer: Officer) -> None:
    assert overflow(officer) == [], officer.page.url


def own_task(officer: Officer, name: str) -> None:
    """The task waits in 待办, already the officer's: nothing to claim."""
    officer.page.goto("/tasks?box=todo")
    fits(officer)
    officer.page.get_by_role("link", name=name, exact=True).first.click()
    expect(officer.page.get_by_test_id("task-name")).to_have_text(name)
    expect(officer.page.get_by_test_id("claim")).to_have_count(0)
    fits(officer)


def submitted(officer: Officer) -> None:
    officer.submit()
    expect(officer.page.get_by_role("status").first).to_contain_text("已提交")


def test_an_establishment_walked_by_every_role(as_role, rest):
    cotton = as_role("cotton")
    cotton.page.goto("/start")
    cotton.page.click("[data-testid=start-tic_establishment] button")
    expect(cotton.page.get_by_test_id("claim")).to_have_count(0)
    cotton.fill_form(application())
    fits(cotton)
    submitted(cotton)

    urumqi = as_role("urumqi")
    own_task(urumqi, "推荐部门审核")
    urumqi.fill_form({"recommenderDecision": "approve", "recommenderOpinion": "方案可行，同意推荐"})
    submitted(urumqi)
    own_task(urumqi, "筹建准备并致函推荐")
    urumqi.fill_form({"preparatoryBoardFormed": True, "recommendationLetterNo": "乌政函〔2026〕12号",
                      "recommenderSignature": signature("李明", "经审核，同意推荐")})
    submitted(urumqi)

    officer = as_role("officer")
    officer.take_task("形式审查")
    officer.fill_form({"formalReviewDecision": "pass", "formalReviewOpinion": "材料齐全，符合组建条件"})
    submitted(officer)
    own_task(officer, "遴选论证专家")  # the one who passed 形式审查 goes on with the case
    for expert in EXPERT_PANEL:
        officer.page.check(f'[data-people="experts"] input[value="{expert}"]')
    officer.fill_form({"panelReason": MANUAL_REASON})
    submitted(officer)
    for expert, score in EXPERT_PANEL.items():
        reviewer = as_role(expert)
        own_task(reviewer, "专家论证评分")
        reviewer.fill_form({**uniform_sheet(score), "expertOpinion": "目标明确，任务可行", "expertRecommend": True})
        submitted(reviewer)
    own_task(officer, "实地评估")
    officer.fill_form({"siteVisitPassed": True, "siteVisitReport": "研发场地、人员和设备到位",
                       "siteVisitDate": "2026-03-01"})
    submitted(officer)

    leader = as_role("leader")
    own_task(leader, "审批决定（择优确定）")
    leader.fill_form({"approvalDecision": "approve", "approvalOpinion": "同意组建"})
    submitted(leader)
    end_only_publicity(rest)  # the approval is 拟批准: the center is registered when its 公示 ends

    for reader in (cotton, urumqi, as_role("expert5")):
        case_from_done_or_started(reader)
        expect(reader.page.get_by_test_id("instance-outcome")).to_contain_text("批准组建（中心编号 XJTIC-2026-001）")
        fits(reader)


def case_from_done_or_started(reader: Officer) -> None:
    """The case, reached from 已办 (or, for the applicant, 我发起的)."""
    reader.page.goto("/tasks?box=done")
    rows = reader.page.get_by_test_id("inbox-table").locator("tbody tr")
    if not rows.count() or "新疆棉花" not in rows.first.inner_text():
        reader.page.goto("/tasks?box=started")
    reader.page.get_by_test_id("inbox-table").locator("tbody tr").first.get_by_role("link").first.click()
    if "/tasks/" in reader.page.url:
        reader.page.get_by_role("link", name="查看业务详情").first.click()
    expect(reader.page.get_by_test_id("instance-name")).to_contain_text("新疆棉花和纺织服装技术创新中心")
