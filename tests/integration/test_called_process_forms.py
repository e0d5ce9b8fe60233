"""The tasks of a called process (专家论证: assign_experts, expert_review) show and validate
the forms their caller's definition pinned when it was deployed: one source, the
definition's forms, for the page, the REST form and the complete."""
from __future__ import annotations

import json

import pytest

from app.core.identity import load_actor
from app.platform import deployment, user_tasks
from tests.support.establishment import (
    ESTABLISHMENT_CRITERIA, assign_experts, formal_review, recommender_decides, send_letter, start_application, submit,
    task,
)
from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")

NEWER_REVIEW_FORM = {"title": "专家论证评分（新版）", "type": "object",
                     "properties": {"expertScore": {"type": "integer", "title": "总分"}}}


def to_expert_review(rest) -> str:
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"]).status_code == 204
    return instance_id


def test_the_expert_review_page_shows_the_form_its_caller_pinned(web, ctx, rest):
    instance_id = to_expert_review(rest)
    review = task(rest("expert4"), instance_id, "expert_review")
    with ctx.db.command() as session:
        deployment.deploy(ctx, session, None, "newer review form", {
            "tic/expert_review.schema.json": json.dumps(NEWER_REVIEW_FORM, ensure_ascii=False).encode()})
    with ctx.db.read() as session:
        form = user_tasks.form_of(ctx, session, load_actor(session, "expert4"), review["id"])
    assert form["schema"]["title"] == "专家论证评分"
    page = text(web("expert4").get(f"/tasks/{review['id']}"))
    assert "专家论证评分" in page and "新版" not in page
    assert 'name="expertOpinion"' in page and 'name="expertRecommend"' in page


def test_an_expert_review_submitted_on_the_page_is_validated_by_the_pinned_form(web, rest):
    instance_id = to_expert_review(rest)
    review = task(rest("expert4"), instance_id, "expert_review")
    expert = web("expert4")
    response = expert.post(f"/tasks/{review['id']}", {"expertScore": "88", "_action": "submit"},
                           token_from=f"/tasks/{review['id']}")
    assert response.status_code == 400
    assert 'data-error-for="expertOpinion"' in text(response)
    sheet = {f"criterionScores.{criterion}": "88" for criterion in ESTABLISHMENT_CRITERIA}
    response = expert.post(f"/tasks/{review['id']}", {
        **sheet, "expertScore": "88", "expertOpinion": "建设目标明确", "expertRecommend": "true", "_action": "submit",
    }, token_from=f"/tasks/{review['id']}")
    assert response.status_code == 302, text(response)
