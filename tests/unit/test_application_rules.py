"""What the establishment application's schema cannot say, checked without a database:
R09, every section of the construction plan holds real words. (R04–R07 are the decision
table's: test_eligibility_table.py; R11, the recommending department, needs the registry.)"""
from __future__ import annotations

import pytest

from app.tic.applications import plan_problems
from tests.support.establishment import PLAN

BLANK = "建设方案各部分不能只填写空白，请填写实际内容"


def test_a_plan_with_words_in_every_section_has_no_problem():
    assert plan_problems({"plan": dict(PLAN)}) == []


@pytest.mark.parametrize("blank", ["", " ", "\u3000\n\t"])
def test_r09_a_section_of_only_blanks_is_named(blank):
    assert plan_problems({"plan": {**PLAN, "goals": blank}}) == [{"field": "plan.goals", "message": BLANK}]


def test_r09_every_blank_section_is_named_in_the_plans_order():
    plan = {**PLAN, "background": " ", "indicators": ""}
    assert [p["field"] for p in plan_problems({"plan": plan})] == ["plan.background", "plan.indicators"]


@pytest.mark.parametrize("values", [{}, {"plan": None}, {"plan": {}}, {"plan": {"funding": None}}])
def test_a_missing_plan_or_section_is_left_to_the_schema(values):
    assert plan_problems(values) == []
