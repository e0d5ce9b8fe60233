"""The scoring sheets shown back on the case page (issue 16): department staff see every
expert's sheet per criterion with the totals, averageScore, trimmedAverageScore and the two
dropped totals; an expert sees their own sheet only; the applicant and the recommender see
none of it (DESIGN.md, Confidential data)."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import (
    assign_experts, complete, formal_review, start_application, task, to_formal_review,
)
from tests.support.web import text

PANEL = ["expert4", "expert5", "expert6", "expert7", "expert8"]
CODES = ("goals", "foundation", "operation", "funding", "schedule")
# Each expert scores every criterion alike, so the total is that score.
SCORES = {"expert4": 60, "expert5": 80, "expert6": 82, "expert7": 84, "expert8": 99}


@pytest.fixture
def scored(rest, project_models):
    """cotton's application after five experts filled their sheets (average 81, trimmed 82)."""
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    assert assign_experts(rest("officer"), instance_id, PANEL).status_code == 204
    for expert, score in SCORES.items():
        review = task(rest(expert), instance_id, "expert_review")["id"]
        assert complete(rest(expert), review, {
            "criterionScores": dict.fromkeys(CODES, score), "expertScore": score,
            "expertOpinion": "目标明确", "expertRecommend": True}).status_code == 204
    return instance_id


def sheet_rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-sheet="([^"]+)"[^>]*>(.*?)</tr>', page, re.S))


@pytest.mark.parametrize("user", ["officer", "leader", "manager", "agency"])
def test_department_staff_see_every_sheet_per_criterion_with_averages_and_the_dropped_totals(
        web, scored, user):
    page = text(web(user).get(f"/instances/{scored}"))

    rows = sheet_rows(page)
    assert sorted(rows) == sorted(PANEL)
    assert "建设目标与主要任务（30）" in page
    assert rows["expert6"].count("<td>82</td>") == len(CODES)
    assert "60（已去掉）" in rows["expert4"] and "99（已去掉）" in rows["expert8"]
    assert "已去掉" not in rows["expert5"]
    averages = re.search(r'data-testid="sheet-averages">([^<]+)<', page).group(1)
    assert "平均分：81.0" in averages and "去掉一个最高分和一个最低分后的平均分：82.0" in averages


def test_an_expert_sees_only_their_own_sheet_on_the_case_page(web, scored):
    page = text(web("expert5").get(f"/instances/{scored}"))

    assert list(sheet_rows(page)) == ["expert5"]
    assert "我的评分表" in page and "已去掉" not in page
    assert 'data-testid="sheet-averages"' not in page and "81.0" not in page


@pytest.mark.parametrize("user", ["cotton", "urumqi"])
def test_the_applicant_and_the_recommender_see_no_sheet(web, scored, user):
    response = web(user).get(f"/instances/{scored}")

    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="scoring-sheets"' not in page
    assert sheet_rows(page) == {} and "建设目标与主要任务（30）" not in page
    assert "已去掉" not in page and "平均分" not in page
