"""The random draw on the task page (issue 16), in the real browser: the officer draws, sees
the seed and the drawn panel filled into the form, cannot draw again without a leader's
approval, and confirms the panel by submitting."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.identity import load_actor
from app.models import ExpertDraw, ExpertPanel
from app.tic import expert_draw, expert_pool
from tests.support.establishment import formal_review, start_application, to_formal_review

pytestmark = pytest.mark.e2e

RECORD = {"fields": ["cotton_textile"], "title": "教授", "available": True, "in_pool": True}


def test_the_officer_draws_the_panel_on_the_task_page_and_confirms_it(officers, ctx, rest):
    officer = officers("officer")
    with ctx.db.command() as session:
        keeper = load_actor(session, "officer")
        for user_id in ("expert4", "expert5", "expert6", "expert7", "expert8", "expert9"):
            expert_pool.save_expert(ctx, session, keeper, user_id,
                                    {**RECORD, "in_region": user_id not in ("expert8", "expert9")})
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")

    officer.take_task("遴选论证专家")
    officer.page.click("[data-testid=draw-submit]")

    expect(officer.page.get_by_role("status").first).to_contain_text("已随机抽取专家")
    seed = officer.page.get_by_test_id("draw-seed").inner_text()
    drawn = officer.page.locator("[data-testid=draw-panel] li").evaluate_all(
        "items => items.map(item => item.dataset.expert)")
    assert len(seed) == 32 and len(drawn) == 5 and {"expert8", "expert9"} <= set(drawn)
    for expert in drawn:
        expect(officer.page.locator(f'[data-people="experts"] input[value="{expert}"]')).to_be_checked()
    expect(officer.page.get_by_test_id("draw-submit")).to_have_count(0)
    with ctx.db.read() as session:
        row = session.scalar(select(ExpertDraw))
        assert row.seed == seed
        assert list(expert_draw.choose(json.loads(row.candidates_json), 5, 2, seed)) == drawn

    officer.submit()

    expect(officer.page.get_by_role("status").first).to_contain_text("已提交")
    with ctx.db.read() as session:
        panel = session.scalar(select(ExpertPanel))
        assert (panel.draw_id, sorted(json.loads(panel.experts_json))) == (row.id, sorted(drawn))
