"""Expert assignment over a round (/rounds/<id>, issue 16): the department draws the panel of
every application waiting at `assign_experts`, one after another so each draw counts the
panels drawn before it, and confirms the drawn panels, each row completing its own task
through the task service; the panels are the department's only."""
from __future__ import annotations

import json

import pytest
from lxml import html
from sqlalchemy import func, select

from app.core.identity import load_actor
from app.models import ExpertDraw, ExpertPanel
from app.tic import expert_draw, expert_pool
from tests.support.establishment import (
    complete, deploy_models, formal_review, start_application, task, task_keys, to_formal_review,
)
from tests.support.web import text

ROUND = "/rounds/2026-01"
# 新疆大学 (expert1–3) co-builds cotton's applications: expert4–7 may be drawn from inside the
# region (three a panel), expert8 and expert9 from outside (two a panel).
INSIDE = ("expert1", "expert2", "expert4", "expert5", "expert6", "expert7")
OUTSIDE = ("expert8", "expert9")
RECORD = {"fields": ["cotton_textile"], "title": "教授", "in_region": True, "available": True, "in_pool": True}


@pytest.fixture
def assigning(ctx, rest):
    """Two applications of the round at 遴选论证专家, the pool filled: {case: instance id}."""
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))
    with ctx.db.command() as session:
        officer = load_actor(session, "officer")
        for user_id in INSIDE + OUTSIDE:
            expert_pool.save_expert(ctx, session, officer, user_id, {**RECORD, "in_region": user_id in INSIDE})
    cases = {}
    for key in ("SQ-A", "SQ-B"):
        cases[key] = start_application(rest("cotton"), key)
        to_formal_review(rest, cases[key])
        formal_review(rest("officer"), cases[key], "pass")
    return cases


def rows(page) -> dict[str, html.HtmlElement]:
    found = html.fromstring(text(page)).xpath('//section[@data-testid="round-assign-experts"]//tr[@data-task]')
    return {row.get("data-case"): row for row in found}


def draws(ctx, instance_id: str) -> list[ExpertDraw]:
    with ctx.db.read() as session:
        return list(session.scalars(select(ExpertDraw).where(ExpertDraw.instance_id == instance_id)))


def test_bulk_expert_assignment_draws_and_confirms_each_application_of_the_round(ctx, rest, web, assigning):
    officer = web("officer")
    assert officer.post(f"{ROUND}/expert-draw", {}, token_from=ROUND).status_code == 302

    shown = rows(officer.get(ROUND))
    for key, instance_id in assigning.items():
        (drawn,) = draws(ctx, instance_id)
        assert shown[key].xpath('string(.//*[@data-testid="seed"])') == drawn.seed and len(drawn.seed) == 32
        assert shown[key].xpath('string(.//*[@data-testid="panel"])') == "、".join(json.loads(drawn.panel_json))
        assert "共建单位“新疆大学”" in json.loads(drawn.excluded_json)["expert1"]
    # A second bulk draw leaves drawn applications alone: a redraw needs a leader's approval.
    assert officer.post(f"{ROUND}/expert-draw", {}, token_from=ROUND).status_code == 302
    assert [len(draws(ctx, i)) for i in assigning.values()] == [1, 1]

    confirmed = officer.post(f"{ROUND}/expert-panels", {"confirm": [shown["SQ-A"].get("data-task"),
                                                                    shown["SQ-B"].get("data-task")]},
                             token_from=ROUND)

    assert confirmed.status_code == 302
    with ctx.db.read() as session:
        for instance_id in assigning.values():
            panel = session.scalar(select(ExpertPanel).where(ExpertPanel.instance_id == instance_id))
            (drawn,) = draws(ctx, instance_id)
            assert (panel.draw_id, panel.manual_reason, panel.assigned_by) == (drawn.id, None, "officer")
            assert sorted(json.loads(panel.experts_json)) == sorted(json.loads(drawn.panel_json))
    assert all("assign_experts" not in task_keys(rest("officer"), i) for i in assigning.values())
    assert rows(officer.get(ROUND)) == {}


def test_a_row_confirmed_meanwhile_is_told_and_the_others_stand(ctx, rest, web, assigning):
    officer = web("officer")
    officer.post(f"{ROUND}/expert-draw", {}, token_from=ROUND)
    shown = {key: row.get("data-task") for key, row in rows(officer.get(ROUND)).items()}
    gone = task(rest("officer"), assigning["SQ-A"], "assign_experts")["id"]
    (drawn,) = draws(ctx, assigning["SQ-A"])
    assert complete(rest("officer"), gone, {"experts": json.loads(drawn.panel_json)}).status_code == 204

    confirmed = officer.post(f"{ROUND}/expert-panels", {"confirm": list(shown.values())}, token_from=ROUND)

    assert confirmed.status_code == 400
    assert "已办理 1 件，1 件未办理" in html.fromstring(text(confirmed)).xpath('string(//*[@data-testid="round-error"])')
    assert all("assign_experts" not in task_keys(rest("officer"), i) for i in assigning.values())
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ExpertPanel)) == 2


def test_bulk_draw_balances_workload_across_the_round(ctx, web, assigning):
    web("officer").post(f"{ROUND}/expert-draw", {}, token_from=ROUND)

    (first,) = draws(ctx, assigning["SQ-A"])
    (second,) = draws(ctx, assigning["SQ-B"])
    first_panel = set(json.loads(first.panel_json))
    left_out = {"expert4", "expert5", "expert6", "expert7"} - first_panel
    load = {c["userId"]: c["openReviews"] for c in json.loads(second.candidates_json)}
    # The second draw counts the first's unconfirmed panel as work in hand ...
    assert all(load[expert] == 1 for expert in first_panel) and all(load[expert] == 0 for expert in left_out)
    # ... so the inside expert the first panel left out, the least busy, is drawn now.
    assert left_out <= set(json.loads(second.panel_json))
    assert list(expert_draw.choose(json.loads(second.candidates_json), 5, 2, second.seed)) == json.loads(second.chosen_json)


def test_the_bulk_draw_is_the_department_s_only(ctx, rest, web, assigning):
    agency = web("agency")
    refused = agency.post(f"{ROUND}/expert-draw", {}, token_from=ROUND)
    assert refused.status_code == 400
    assert "您不是该任务的办理人或候选人" in html.fromstring(text(refused)).xpath('string(//*[@data-testid="row-error"])')
    assert web("cotton").post(f"{ROUND}/expert-draw", {}).status_code == 403
    assert html.fromstring(text(web("leader").get(ROUND))).xpath('//section[@data-testid="round-assign-experts"]') == []
    assert [draws(ctx, i) for i in assigning.values()] == [[], []]
