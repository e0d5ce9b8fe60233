"""/rounds in a real browser: the officer closes the current round, opens the next one from the
side navigation (a wrong date told beside its field, the rest kept); a lead unit's start is
then refused on the start page, naming the next round's dates; the officer draws the round's
expert panels in bulk and confirms them."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.identity import load_actor
from app.models import ExpertDraw, ExpertPanel
from app.tic import expert_pool
from tests.support.browser import policy_violations
from tests.support.establishment import formal_review, start_application, to_formal_review

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


def test_the_officer_draws_the_round_s_panels_in_bulk_and_confirms_them(officers, ctx, rest):
    with ctx.db.command() as session:
        keeper = load_actor(session, "officer")
        for user_id in ("expert4", "expert5", "expert6", "expert7", "expert8", "expert9"):
            expert_pool.save_expert(ctx, session, keeper, user_id, {
                "fields": ["cotton_textile"], "title": "教授", "available": True, "in_pool": True,
                "in_region": user_id not in ("expert8", "expert9")})
    cases = [start_application(rest("cotton"), key) for key in ("SQ-A", "SQ-B")]
    for instance_id in cases:
        to_formal_review(rest, instance_id)
        formal_review(rest("officer"), instance_id, "pass")
    officer = officers("officer")
    violations = policy_violations(officer)
    officer.page.goto("/rounds/2026-01")
    section = officer.page.get_by_test_id("round-assign-experts")
    expect(section.get_by_test_id("panel")).to_have_text(["尚未抽取", "尚未抽取"])

    section.get_by_test_id("draw-all").click()

    expect(officer.page.get_by_role("status").first).to_contain_text("已办理 2 件，0 件未办理")
    section = officer.page.get_by_test_id("round-assign-experts")
    seeds = section.get_by_test_id("seed").all_inner_texts()
    assert [len(seed) for seed in seeds] == [32, 32]
    section.get_by_test_id("confirm-panels").click()
    expect(officer.page.get_by_test_id("round-assign-experts")).to_contain_text("本批次没有待遴选专家的申请")
    with ctx.db.read() as session:
        confirmed = session.scalars(select(ExpertPanel).order_by(ExpertPanel.id)).all()
        assert [session.get(ExpertDraw, p.draw_id).seed for p in confirmed] == seeds
    assert violations == []
