"""The scoring sheet on the expert_review task page (issue 16): one field per criterion of
the case's review kind with its label, weight and maximum; the weighted total computed by
the server when the page is posted and checked by the step's listener; a bad sheet refused
with a Chinese message beside its field and everything typed kept."""
from __future__ import annotations

import json
import re

import pytest

from app.core.identity import load_actor
from app.models import ExpertReview
from app.platform import drafts
from tests.support.establishment import (
    assign_experts, formal_review, start_application, task, to_formal_review,
)
from tests.support.web import text

PANEL = ["expert4", "expert5", "expert6"]
# 90×30 + 80×25 + 70×20 + 60×15 + 95×10 = 7950 → 79.5 → 80
SHEET = {"goals": "90", "foundation": "80", "operation": "70", "funding": "60", "schedule": "95"}
REVIEW = {"expertOpinion": "目标明确，任务可行", "expertRecommend": "true"}


@pytest.fixture
def reviewing(ctx, rest, project_models):
    """cotton's application at 专家论证评分 with a panel of three; (instance, expert4's task)."""
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    assert assign_experts(rest("officer"), instance_id, PANEL).status_code == 204
    return instance_id, task(rest("expert4"), instance_id, "expert_review")["id"]


def sheet_fields(sheet: dict) -> dict:
    return {f"criterionScores.{code}": score for code, score in sheet.items()}


def submit(web, task_id: str, data: dict):
    return web("expert4").post(f"/tasks/{task_id}", {**data, "_action": "submit"}, token_from=f"/tasks/{task_id}")


def error_beside(page: str, field: str) -> str:
    found = re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', page)
    return found.group(1) if found else ""


def test_the_task_page_shows_one_field_per_criterion_with_its_label_weight_and_maximum(web, reviewing):
    _instance, task_id = reviewing

    page = text(web("expert4").get(f"/tasks/{task_id}"))

    assert "建设目标与主要任务（权重 30%，满分 100 分）" in page
    assert "建设进度与考核指标（权重 10%，满分 100 分）" in page
    assert 'name="criterionScores.goals" type="text" inputmode="numeric"' in page
    assert 'data-weight="30" data-max="100"' in page
    assert 'name="expertScore"' in page and 'data-total-of="criterionScores"' in page
    assert page.index('name="criterionScores.goals"') < page.index('name="expertScore"')


def test_expert_fills_the_scoring_sheet_on_the_task_page_and_the_total_is_the_weighted_sum(
        ctx, web, reviewing):
    _instance, task_id = reviewing

    response = submit(web, task_id, {**sheet_fields(SHEET), **REVIEW})

    assert response.status_code == 302, text(response)
    with ctx.db.read() as session:
        review = session.get(ExpertReview, task_id)
        assert review.score == 80
        assert json.loads(review.criteria_json) == {code: int(score) for code, score in SHEET.items()}


def test_a_missing_criterion_is_named_beside_its_field_and_the_typed_scores_stay(web, reviewing):
    _instance, task_id = reviewing
    partial = {code: score for code, score in SHEET.items() if code != "funding"}

    response = submit(web, task_id, {**sheet_fields(partial), **REVIEW})

    assert response.status_code == 400
    page = text(response)
    assert "经费投入与保障措施" in error_beside(page, "criterionScores.funding")
    assert error_beside(page, "expertScore") == ""
    assert 'name="criterionScores.goals" type="text" inputmode="numeric"\n           value="90"' in page
    assert "目标明确，任务可行" in page


@pytest.mark.parametrize("typed", ["120", "九十", "-5"])
def test_a_score_out_of_range_or_not_a_number_is_refused_beside_its_criterion(web, reviewing, typed):
    _instance, task_id = reviewing

    response = submit(web, task_id, {**sheet_fields({**SHEET, "goals": typed}), **REVIEW})

    assert response.status_code == 400
    page = text(response)
    assert error_beside(page, "criterionScores.goals") == "请为“建设目标与主要任务”打 0–100 分"
    assert f'value="{typed}"' in page


def test_a_total_that_is_not_the_weighted_sum_is_refused_beside_the_total(web, rest, reviewing):
    instance_id, task_id = reviewing

    response = submit(web, task_id, {**sheet_fields(SHEET), **REVIEW, "expertScore": "85"})

    assert response.status_code == 400
    assert error_beside(text(response), "expertScore") == "总分应为评分表各项加权合计 80 分"
    assert task(rest("expert4"), instance_id, "expert_review")["id"] == task_id


def test_a_saved_draft_of_the_sheet_is_kept_through_a_refused_submit(ctx, web, reviewing):
    _instance, task_id = reviewing
    expert = web("expert4")
    partial = {"goals": "90", "foundation": "80"}
    saved = expert.post(f"/tasks/{task_id}", {**sheet_fields(partial), "_action": "save"},
                        token_from=f"/tasks/{task_id}")
    assert saved.status_code == 302

    assert submit(web, task_id, {**sheet_fields(partial), **REVIEW}).status_code == 400

    with ctx.db.read() as session:
        draft = drafts.load(session, load_actor(session, "expert4"), task_id)
        assert drafts.values_of(draft)["criterionScores"] == {"goals": 90, "foundation": 80}
    page = text(expert.get(f"/tasks/{task_id}"))
    assert 'data-testid="draft-notice"' in page and 'value="80"' in page
