"""Whoever took part in a case reads it for as long as it exists (issue 13): the recommender
after sending the letter, an expert after scoring, and their 已办 rows and notifications
lead to the case, not to a dead end. What they read is what they may see: the experts'
scores stay confidential to others."""
from __future__ import annotations

import pytest

from tests.support.establishment import (
    deploy_models, formal_review, start_application, to_approval, to_formal_review,
)

CONFIDENTIAL = {"experts", "expertScore", "expertScores", "averageScore", "expertsRecommending"}


@pytest.fixture
def past_the_letter(ctx, rest):
    deploy_models(ctx)
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    return instance_id


def done_task(client, instance_id: str, key: str) -> str:
    rows = client.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    return next(row["id"] for row in rows if row["taskDefinitionKey"] == key)


def test_the_recommender_reads_the_case_after_sending_the_letter(rest, web, past_the_letter):
    assert rest("urumqi").get(f"/process-instance/{past_the_letter}").status_code == 200
    assert web("urumqi").get(f"/instances/{past_the_letter}").status_code == 200


def test_a_done_task_of_the_recommender_leads_to_its_case(rest, web, past_the_letter):
    letter = done_task(rest("urumqi"), past_the_letter, "recommend_letter")

    response = web("urumqi").get(f"/tasks/{letter}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/instances/{past_the_letter}")


def test_someone_who_never_took_part_still_finds_no_case(rest, web, past_the_letter):
    letter = done_task(rest("urumqi"), past_the_letter, "recommend_letter")

    assert rest("kashgar").get(f"/process-instance/{past_the_letter}").status_code == 404
    assert web("kashgar").get(f"/instances/{past_the_letter}").status_code == 404
    assert web("kashgar").get(f"/tasks/{letter}").status_code == 404


def test_an_expert_reads_the_case_after_scoring_but_no_score_of_the_panel(ctx, rest, web):
    deploy_models(ctx)
    instance_id = to_approval(rest)
    expert5 = rest("expert5")

    shown = expert5.get(f"/process-instance/{instance_id}/variables")
    assert shown.status_code == 200
    assert not CONFIDENTIAL & set(shown.get_json())
    assert web("expert5").get(f"/instances/{instance_id}").status_code == 200
    steps = expert5.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    assert [s["assignee"] for s in steps if s["taskDefinitionKey"] == "expert_review"] == ["expert5"]
