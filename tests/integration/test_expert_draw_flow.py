"""The draw on `assign_experts` (issue 16): N experts and the share from outside the region
from the decision table, R15's conflicts and this round's reviewers and decliners left out,
the seed made on the server and shown so the draw re-checks; the officer confirms the drawn
panel, departing from a draw needs a reason; a redraw or a replacement needs a leader's approval; an
expert declines with a reason and a replacement is drawn; none of it reaches the applicant or
the recommender."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.core.identity import load_actor
from app.models import ExpertDecline, ExpertPanel, HistoryEvent
from app.tic import expert_draw, expert_pool, panel_draws
from tests.support.establishment import (
    complete, deploy_models, field_errors, formal_review, site_visit, start_application, task, to_formal_review,
    variables,
)
from tests.support.lifecycle import api, api_post

# 新疆大学 (expert1–3) co-builds cotton's application; expert8 and expert9 come from outside.
INSIDE = ("expert1", "expert2", "expert4", "expert5", "expert6", "expert7")
OUTSIDE = ("expert8", "expert9")
RECORD = {"fields": ["cotton_textile"], "title": "教授", "in_region": True, "available": True, "in_pool": True}


@pytest.fixture
def assigning(ctx, rest):
    """cotton's application at 遴选论证专家, the pool filled; returns (instance, task) ids."""
    deploy_models(ctx)
    with ctx.db.command() as session:
        officer = load_actor(session, "officer")
        for user_id in INSIDE + OUTSIDE:
            expert_pool.save_expert(ctx, session, officer, user_id, {**RECORD, "in_region": user_id in INSIDE})
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    return instance_id, task(rest("officer"), instance_id, "assign_experts")["id"]


def drawn(rest, task_id: str, user: str = "officer") -> dict:
    response = api_post(rest(user), f"/tasks/{task_id}/expert-draw")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_draw_takes_n_and_the_outside_share_from_the_decision_table(rest, assigning):
    _instance, task_id = assigning

    result = drawn(rest, task_id)

    assert (result["size"], result["outside"], result["field"]) == (5, 2, "cotton_textile")
    assert set(OUTSIDE) <= set(result["panel"]) and len(result["panel"]) == 5
    assert "共建单位“新疆大学”" in result["excluded"]["expert1"]


def test_draw_is_reproducible_from_its_shown_seed(rest, assigning):
    _instance, task_id = assigning
    result = drawn(rest, task_id)

    shown = api(rest("officer"), f"/tasks/{task_id}/expert-draw").get_json()

    assert shown["seed"] == result["seed"] and len(shown["seed"]) == 32
    assert list(expert_draw.choose(shown["candidates"], shown["size"], shown["outside"], shown["seed"])) == shown["chosen"]


def test_the_seed_cannot_be_chosen_by_the_caller(rest, assigning):
    _instance, task_id = assigning

    response = api_post(rest("officer"), f"/tasks/{task_id}/expert-draw", {"seed": "0" * 32})

    assert response.status_code == 201 and response.get_json()["seed"] != "0" * 32


def test_confirming_the_drawn_panel_needs_no_reason_and_names_the_draw(ctx, rest, assigning):
    instance_id, task_id = assigning
    result = drawn(rest, task_id)

    assert complete(rest("officer"), task_id, {"experts": list(reversed(result["panel"]))}).status_code == 204

    with ctx.db.read() as session:
        panel = session.scalar(select(ExpertPanel).where(ExpertPanel.instance_id == instance_id))
        assert (panel.draw_id, panel.manual_reason) == (result["id"], None)


def test_a_manual_panel_needs_a_reason_which_is_recorded(ctx, rest, assigning):
    instance_id, task_id = assigning
    drawn(rest, task_id)
    manual = ["expert4", "expert5", "expert6"]

    errors = field_errors(complete(rest("officer"), task_id, {"experts": manual}))
    assert "人工遴选理由" in errors["panelReason"]

    reason = "本项目涉及高支纱专用装备，需增补装备领域专家"
    assert complete(rest("officer"), task_id, {"experts": manual, "panelReason": reason}).status_code == 204
    with ctx.db.read() as session:
        panel = session.scalar(select(ExpertPanel).where(ExpertPanel.instance_id == instance_id))
        assert (panel.draw_id, panel.manual_reason) == (None, reason)


def test_a_panel_given_without_a_draw_keeps_the_contract_and_is_recorded_as_not_drawn(ctx, rest, assigning):
    instance_id, task_id = assigning

    assert complete(rest("officer"), task_id, {"experts": ["expert4", "expert5", "expert6"]}).status_code == 204

    with ctx.db.read() as session:
        panel = session.scalar(select(ExpertPanel).where(ExpertPanel.instance_id == instance_id))
        assert (panel.draw_id, panel.manual_reason) == (None, None)


def test_a_redraw_needs_a_reason_and_a_leaders_approval_and_stays_in_the_history(ctx, rest, assigning):
    instance_id, task_id = assigning
    first = drawn(rest, task_id)
    officer, leader = rest("officer"), rest("leader")

    assert api_post(officer, f"/tasks/{task_id}/expert-draw").status_code == 409
    no_reason = api_post(officer, f"/tasks/{task_id}/expert-draw/requests", {"kind": "redraw"})
    assert no_reason.status_code == 400 and no_reason.get_json()["errors"][0]["field"] == "reason"
    asked = api_post(officer, f"/tasks/{task_id}/expert-draw/requests",
                     {"kind": "redraw", "reason": "两位抽中专家同日出国，无法参会"}).get_json()
    assert api_post(officer, f"/tasks/{task_id}/expert-draw").status_code == 409
    assert api_post(officer, f"/expert-draw-requests/{asked['id']}/decision", {"approve": True}).status_code == 403
    decided = api_post(leader, f"/expert-draw-requests/{asked['id']}/decision",
                       {"approve": True, "opinion": "同意重新抽取"})
    assert decided.status_code == 200 and decided.get_json()["decision"] == "approved"

    second = drawn(rest, task_id)

    assert second["purpose"] == "redraw" and second["seed"] != first["seed"]
    assert api_post(officer, f"/tasks/{task_id}/expert-draw").status_code == 409
    with ctx.db.read() as session:
        kinds = list(session.scalars(select(HistoryEvent.event_type).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.activity_id == "assign_experts",
            HistoryEvent.event_type.like("expert_draw%"))))
    assert kinds == ["expert_drawn", "expert_draw_requested", "expert_draw_decided", "expert_drawn"]


def test_a_rejected_request_allows_no_redraw(rest, assigning):
    _instance, task_id = assigning
    drawn(rest, task_id)
    asked = api_post(rest("officer"), f"/tasks/{task_id}/expert-draw/requests",
                     {"kind": "redraw", "reason": "希望更换"}).get_json()

    api_post(rest("leader"), f"/expert-draw-requests/{asked['id']}/decision", {"approve": False, "opinion": "理由不充分"})

    assert api_post(rest("officer"), f"/tasks/{task_id}/expert-draw").status_code == 409


def test_replacing_one_drawn_expert_keeps_the_others_and_the_region_share(rest, assigning):
    _instance, task_id = assigning
    first = drawn(rest, task_id)
    replaced = next(e for e in first["panel"] if e in INSIDE)
    asked = api_post(rest("officer"), f"/tasks/{task_id}/expert-draw/requests",
                     {"kind": "replace", "expert": replaced, "reason": "该专家近期住院"}).get_json()
    api_post(rest("leader"), f"/expert-draw-requests/{asked['id']}/decision", {"approve": True, "opinion": "同意"})

    second = drawn(rest, task_id)

    assert second["purpose"] == "replace" and second["replaced"] == replaced
    assert replaced not in second["panel"] and len(second["panel"]) == 5
    assert set(first["panel"]) - {replaced} <= set(second["panel"])
    assert second["chosen"][0] in INSIDE


def test_an_expert_declines_and_a_replacement_is_drawn_who_reviews_instead(ctx, rest, assigning):
    instance_id, task_id = assigning
    result = drawn(rest, task_id)
    assert complete(rest("officer"), task_id, {"experts": result["panel"]}).status_code == 204
    decliner = next(e for e in result["panel"] if e in INSIDE)
    review = task(rest(decliner), instance_id, "expert_review")["id"]

    response = api_post(rest(decliner), f"/tasks/{review}/decline",
                        {"kind": "avoidance", "reason": "本人近两年与牵头单位有合作项目"})

    assert response.status_code == 201 and "replacement" not in response.get_json()
    with ctx.db.read() as session:
        declined = session.scalar(select(ExpertDecline))
        panel = json.loads(session.scalar(select(ExpertPanel.experts_json)))
    assert declined.replacement in INSIDE and declined.replacement not in result["panel"]
    assert decliner not in panel and declined.replacement in panel and len(panel) == 5
    assert task(rest(declined.replacement), instance_id, "expert_review")["assignee"] == declined.replacement


def test_a_decline_needs_a_reason_and_only_the_invited_expert_declines(rest, assigning):
    instance_id, task_id = assigning
    result = drawn(rest, task_id)
    complete(rest("officer"), task_id, {"experts": result["panel"]})
    expert = result["panel"][0]
    review = task(rest(expert), instance_id, "expert_review")["id"]

    assert api_post(rest(expert), f"/tasks/{review}/decline", {"kind": "avoidance"}).status_code == 400
    assert api_post(rest(expert), f"/tasks/{review}/decline", {"kind": "later", "reason": "x"}).status_code == 400
    assert api_post(rest("officer"), f"/tasks/{review}/decline",
                    {"kind": "unavailable", "reason": "出差"}).status_code == 403


def test_r15_draw_excludes_anyone_who_declined_for_this_applicant_in_this_round(ctx, rest, assigning):
    instance_id, task_id = assigning
    result = drawn(rest, task_id)
    complete(rest("officer"), task_id, {"experts": result["panel"]})
    decliner = next(e for e in result["panel"] if e in INSIDE)
    review = task(rest(decliner), instance_id, "expert_review")["id"]
    api_post(rest(decliner), f"/tasks/{review}/decline", {"kind": "unavailable", "reason": "出差"})

    case_variables = variables(rest("officer"), instance_id)
    with ctx.db.read() as session:
        earlier = panel_draws.earlier_experts(session, *panel_draws.case_keys(session, instance_id, case_variables))

    assert "声明回避或不能参加" in earlier[decliner]


def test_the_draw_and_its_requests_stay_confidential(rest, assigning):
    instance_id, task_id = assigning
    drawn(rest, task_id)
    api_post(rest("officer"), f"/tasks/{task_id}/expert-draw/requests", {"kind": "redraw", "reason": "更换"})
    complete(rest("officer"), task_id, {"experts": ["expert4", "expert5", "expert6"], "panelReason": "人工遴选"})

    for user in ("cotton", "urumqi"):
        assert api(rest(user), f"/tasks/{task_id}/expert-draw").status_code == 403
        assert api(rest(user), f"/instances/{instance_id}/expert-draw-requests").get_json() in ([], None)
        assert api_post(rest(user), f"/tasks/{task_id}/expert-draw").status_code in (403, 404)
        assert "panelReason" not in variables(rest(user), instance_id)
    assert variables(rest("officer"), instance_id)["panelReason"] == "人工遴选"


def test_a_draw_without_enough_experts_is_refused_naming_the_shortfall(ctx, rest, assigning):
    _instance, task_id = assigning
    with ctx.db.command() as session:
        expert_pool.save_expert(ctx, session, load_actor(session, "officer"), "expert9", {**RECORD, "in_pool": False})

    response = api_post(rest("officer"), f"/tasks/{task_id}/expert-draw")

    assert response.status_code == 400
    assert "区外 2 人" in response.get_json()["errors"][0]["message"]


SHEET = {"goals": 90, "foundation": 80, "operation": 70, "funding": 60, "schedule": 95}  # 79.5 → 80


def reviewed_by_panel(rest, instance_id: str, task_id: str, scores: list[int]) -> list[str]:
    panel = drawn(rest, task_id)["panel"]
    complete(rest("officer"), task_id, {"experts": panel})
    for expert, score in zip(panel, scores):
        assert complete(rest(expert), task(rest(expert), instance_id, "expert_review")["id"], {
            "expertScore": score, "expertOpinion": "目标明确", "expertRecommend": True}).status_code == 204
    site_visit(rest("officer"), instance_id)
    return panel


def test_trimmed_average_with_5_experts_drops_highest_and_lowest(rest, assigning):
    instance_id, task_id = assigning

    reviewed_by_panel(rest, instance_id, task_id, [60, 80, 82, 84, 99])

    shown = variables(rest("officer"), instance_id)
    assert (shown["averageScore"], shown["trimmedAverageScore"]) == (81.0, 82.0)
    assert "trimmedAverageScore" not in variables(rest("cotton"), instance_id)
    assert "trimmedAverageScore" not in variables(rest("urumqi"), instance_id)


def test_a_scoring_sheet_total_must_be_its_weighted_sum(ctx, rest, assigning):
    instance_id, task_id = assigning
    panel = drawn(rest, task_id)["panel"]
    complete(rest("officer"), task_id, {"experts": panel})
    review = task(rest(panel[0]), instance_id, "expert_review")["id"]
    values = {"criterionScores": SHEET, "expertOpinion": "目标明确", "expertRecommend": True}

    errors = field_errors(complete(rest(panel[0]), review, {**values, "expertScore": 79}))
    assert "80" in errors["expertScore"]
    missing = field_errors(complete(rest(panel[0]), review, {**values, "expertScore": 80,
                                                             "criterionScores": {"goals": 90}}))
    assert "基础条件与优势" in missing["criterionScores.foundation"]

    assert complete(rest(panel[0]), review, {**values, "expertScore": 80}).status_code == 204
    for user in ("cotton", "urumqi"):
        assert "criterionScores" not in variables(rest(user), instance_id)
