"""The performance evaluation's rules, without a database: the grade the experts' average
suggests (R20), the funding a grade earns (R21, R26), what the grading and the supervising
unit's review may not leave out, and the year an annual report is for."""
from __future__ import annotations

import pytest

from app.core.errors import Forbidden
from app.core.identity import Actor
from app.tic.annual_reports import submission_problems
from app.tic.evaluations import authority_review_problems, grading_problems, withdrawal_refusal
from tests.support.decisions import decision_table


@pytest.fixture(scope="module")
def suggested():
    table = decision_table("tic_grade_suggestion.dmn", "tic_grade_suggestion")
    return lambda average: table(averageScore=average)["suggestedGrade"]


@pytest.fixture(scope="module")
def funding():
    table = decision_table("tic_funding.dmn", "tic_funding")
    return lambda grade, violation=False: table(grade=grade, integrityViolation=violation)["fundingWan"]


@pytest.mark.parametrize(("average", "grade"), [
    (100, "excellent"), (85, "excellent"), (84.99, "good"), (70, "good"), (69.9, "poor"), (0, "poor"),
])
def test_r20_the_average_score_suggests_a_grade_at_85_and_70(suggested, average, grade):
    assert suggested(average) == grade


@pytest.mark.parametrize(("grade", "wan"), [("excellent", 200), ("good", 100), ("poor", 0)])
def test_r21_an_excellent_center_gets_2_million_a_good_one_1_million(funding, grade, wan):
    assert funding(grade) == wan


@pytest.mark.parametrize("grade", ["excellent", "good", "poor"])
def test_r26_a_finding_of_fraud_forfeits_the_funding_whatever_the_grade(funding, grade):
    assert funding(grade, violation=True) == 0


FINDING_NEEDED = [{"field": "integrityFinding",
                   "message": "认定存在弄虚作假或违反科研诚信情况的，须写明认定的事实和依据"}]


@pytest.mark.parametrize("finding", [None, "", "  "])
def test_r26_a_violation_needs_the_finding_written_down(finding):
    assert grading_problems({"grade": "poor", "integrityViolation": True, "integrityFinding": finding}) \
        == FINDING_NEEDED


@pytest.mark.parametrize("values", [
    {"grade": "good", "integrityViolation": False},
    {"grade": "good"},
    {"grade": "poor", "integrityViolation": True, "integrityFinding": "伪造成果转化合同3份"},
])
def test_a_grade_without_a_violation_or_with_its_finding_passes(values):
    assert grading_problems(values) == []


TERMS = {"materialsReturnsAllowed": 1}


def test_the_supervising_unit_may_return_the_materials_as_often_as_the_terms_allow():
    assert authority_review_problems({**TERMS, "materialsReturned": 0}, {"authorityDecision": "return"}) == []
    assert authority_review_problems({**TERMS, "materialsReturned": 1}, {"authorityDecision": "return"}) == [
        {"field": "authorityDecision", "message": "评估材料已退回补正 1 次，不能再次退回，请作出审核结论"}]


def test_approving_after_the_last_return_is_always_possible():
    assert authority_review_problems({**TERMS, "materialsReturned": 1}, {"authorityDecision": "approve"}) == []


def test_an_annual_report_is_for_the_year_the_process_asks_for():
    assert submission_problems({"reportYear": 2026}, {"reportYear": 2026}) == []
    assert submission_problems({"reportYear": "2026"}, {"reportYear": 2025}) == [
        {"field": "reportYear", "message": "本次应报送 2026 年度的年度报告"}]


def _person(user_id: str, organization: str, *groups: str) -> Actor:
    return Actor(user_id, f"{user_id} 经办人", organization, organization, "unit", frozenset(groups))


def test_r25_the_center_or_the_department_quits_an_evaluation_part_way():
    assert withdrawal_refusal(_person("cotton", "tianmian", "lead_unit", "center"), "tianmian") is None
    assert withdrawal_refusal(_person("officer", "kjt", "department"), "tianmian") is None
    for actor in (_person("cotton2", "tianmian", "lead_unit"), _person("xju", "xju", "lead_unit", "center"),
                  _person("urumqi", "urumqi_gov", "recommender"), _person("manager", "kjt", "manager")):
        refusal = withdrawal_refusal(actor, "tianmian")
        assert isinstance(refusal, Forbidden) and "退出评估" in refusal.message, actor.id
