"""The panel's scores (issue 16): the trimmed average drops the highest and the lowest total
from five experts on, and equals the plain average below; a scoring sheet's weighted total."""
from __future__ import annotations

import pytest

from app.tic.expert_reviews import trimmed_average, weighted_total
from tests.support.decisions import decision_table

CRITERIA = [{"code": "goals", "label": "建设目标与主要任务", "weight": 30},
            {"code": "foundation", "label": "基础条件与优势", "weight": 70}]


def test_trimmed_average_with_5_experts_drops_highest_and_lowest():
    assert trimmed_average([60, 80, 82, 84, 99]) == pytest.approx(82.0)


def test_trimmed_average_with_4_experts_equals_the_average():
    assert trimmed_average([60, 80, 84, 99]) == pytest.approx(80.75)


def test_trimmed_average_drops_only_one_of_equal_extremes():
    assert trimmed_average([70, 70, 80, 90, 90]) == pytest.approx(80.0)


def test_the_weighted_total_of_a_scoring_sheet_is_rounded_half_up():
    assert weighted_total(CRITERIA, {"goals": 85, "foundation": 80}) == (82, [])  # 81.5
    assert weighted_total(CRITERIA, {"goals": 100, "foundation": 100}) == (100, [])


def test_a_scoring_sheet_missing_a_criterion_or_out_of_range_names_it():
    total, problems = weighted_total(CRITERIA, {"goals": 101, "extra": 5})

    assert total is None
    assert {p["field"] for p in problems} == {"criterionScores.goals", "criterionScores.foundation",
                                             "criterionScores.extra"}
    assert "基础条件与优势" in next(p["message"] for p in problems if p["field"] == "criterionScores.foundation")


@pytest.mark.parametrize("kind", ["establishment", "evaluation"])
def test_the_criteria_weights_of_each_review_kind_add_up_to_100(kind):
    decided = decision_table("tic_review_criteria.dmn", "tic_review_criteria")(reviewKind=kind)

    assert sum(decided["criterionWeights"]) == 100
    assert all(label for label in decided["criterionLabels"])


@pytest.mark.parametrize(("kind", "category", "size", "outside"), [
    ("establishment", "domain", 5, 2), ("establishment", "comprehensive", 7, 3), ("evaluation", None, 5, 1)])
def test_the_panel_table_gives_n_and_the_outside_share(kind, category, size, outside):
    decided = decision_table("tic_expert_panel.dmn", "tic_expert_panel")(reviewKind=kind, category=category)

    assert (decided["panelSize"], decided["outsideExperts"]) == (size, outside)
