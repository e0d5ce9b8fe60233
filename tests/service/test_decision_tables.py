"""Trying a deployed decision table (试算) as the modeler's panel does, without HTTP: the rules
the hit policy kept, each with its outputs, for the latest or a given version."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import BadRequest, NotFound, ValidationFailed
from app.platform import decision_tables, deployment
from tests.support.services import FIXTURES, as_user, deploy_fixtures

ELIGIBILITY = (Path(__file__).resolve().parents[2] / "bpmn" / "tic_eligibility.dmn").read_bytes()


def tried(ctx, inputs: dict, **which) -> decision_tables.Evaluation:
    with ctx.db.read() as session:
        return decision_tables.evaluate(ctx, session, inputs, **which)


def matched(evaluation: decision_tables.Evaluation) -> list[tuple]:
    return [(rule.rule_id, rule.row, rule.outputs) for rule in evaluation.matched]


@pytest.fixture
def feel_grade(ctx) -> None:
    deploy_fixtures(ctx, "feel_grade.dmn")


def test_first_reports_only_the_first_matching_rule(ctx, feel_grade):
    evaluation = tried(ctx, {"score": 95, "category": "enterprise", "recommended": True}, key="feel_grade")
    assert evaluation.hit_policy == "FIRST"
    assert matched(evaluation) == [("grade_a", 1, {"grade": "A"})]


def test_collect_reports_every_matching_rule_in_table_order(ctx):
    deploy_fixtures(ctx, "flow_reviewers.dmn")
    evaluation = tried(ctx, {"tier": "gold", "amount": 5000}, key="flow_reviewers")
    assert evaluation.hit_policy == "COLLECT"
    assert matched(evaluation) == [
        ("rev_big", 1, {"reviewers": "department_leader"}), ("rev_gold", 2, {"reviewers": "agency"}),
        ("rev_all", 3, {"reviewers": "department"}),
    ]


def test_a_given_version_is_evaluated_by_key_and_version(ctx, feel_grade):
    changed = (FIXTURES / "bpmn" / "feel_grade.dmn").read_bytes()
    changed = changed.replace(b"<text>[90..100]</text>", b"<text>[80..100]</text>")
    as_user(ctx, "analyst", deployment.deploy, "v2", {"feel_grade.dmn": changed})
    inputs = {"score": 85, "category": "enterprise", "recommended": True}

    assert tried(ctx, inputs, key="feel_grade").definition.version == 2
    assert matched(tried(ctx, inputs, key="feel_grade"))[0][2] == {"grade": "A"}
    assert matched(tried(ctx, inputs, key="feel_grade", version=1))[0][2] == {"grade": "B"}


def test_a_matched_rule_carries_its_annotation(ctx):
    as_user(ctx, "analyst", deployment.deploy, "eligibility", {"tic_eligibility.dmn": ELIGIBILITY})
    lead = {"kind": "enterprise", "isIndustryLeader": True, "hasIndependentRnd": True, "debtRatio": 70.0}
    evaluation = tried(ctx, {"leadUnit": lead, "coBuilders": [], "legalEntity": "independent",
                             "legalEntityPlanDate": None}, key="tic_eligibility")
    [rule] = evaluation.matched
    assert rule.rule_id == "rule_r05_debt_ratio" and rule.description.startswith("R05")


def test_an_unknown_version_is_not_found(ctx, feel_grade):
    with pytest.raises(NotFound, match="feel_grade 版本 7"):
        tried(ctx, {}, key="feel_grade", version=7)


def test_an_evaluation_error_names_the_table(ctx, feel_grade):
    with pytest.raises(BadRequest, match="决策表 feel_grade 无法计算"):
        tried(ctx, {"score": "high", "category": "park", "recommended": True}, key="feel_grade")


# ------------------------------------------------- a table as edited, not deployed (试算)

FEEL_GRADE = (FIXTURES / "bpmn" / "feel_grade.dmn").read_bytes()


def tried_edited(ctx, values: dict, xml: bytes = FEEL_GRADE) -> list[tuple]:
    outcome = decision_tables.evaluate_edited(ctx, xml, "feel_grade.dmn", values)
    return [(rule.rule_id, rule.row, rule.outputs) for rule in outcome.matched]


def test_an_edited_table_is_evaluated_column_by_column_without_being_deployed(ctx):
    values = {"in_score": "85", "in_category": "enterprise", "in_recommended": "true"}
    assert tried_edited(ctx, values) == [("grade_b", 2, {"grade": "B"})]
    edited = FEEL_GRADE.replace(b"<text>[90..100]</text>", b"<text>[80..100]</text>")
    assert tried_edited(ctx, values, edited) == [("grade_a", 1, {"grade": "A"})]
    with ctx.db.read() as session, pytest.raises(NotFound):
        decision_tables.find_definition(session, "feel_grade")


def test_r05_an_edited_eligibility_table_reads_each_column_by_its_type(ctx):
    columns = {"in_lead_kind": "enterprise", "in_industry_leader": "true", "in_independent_rnd": "true",
               "in_regional_enterprises": "0", "in_core_cobuilders": "6", "in_legal_entity": "independent"}
    outcome = decision_tables.evaluate_edited(ctx, ELIGIBILITY, "tic_eligibility.dmn",
                                              {**columns, "in_debt_ratio": "70.0"})
    assert [rule.rule_id for rule in outcome.matched] == ["rule_r05_debt_ratio", "rule_r07_core_cobuilders"]


def test_every_bad_trial_value_is_a_field_error_named_by_its_column(ctx):
    with pytest.raises(ValidationFailed) as refused:
        tried_edited(ctx, {"in_score": "八十五", "in_recommended": "yes"})
    assert [(e["field"], e["message"]) for e in refused.value.errors] == [
        ("in_score", "评审得分：请输入数字，如 69.9"), ("in_recommended", "主管部门推荐：请选择“是”或“否”")]


def test_a_blank_value_that_a_cell_cannot_compare_names_the_column(ctx):
    with pytest.raises(BadRequest, match="决策表 feel_grade 无法计算.*评审得分"):
        tried_edited(ctx, {"in_category": "enterprise", "in_recommended": "true"})


def test_an_edited_table_with_errors_is_refused_with_located_problems(ctx):
    edited = FEEL_GRADE.replace(b"<text>[90..100]</text>", b'<text>__import__("os")</text>')
    with pytest.raises(BadRequest, match="修正后才能试算") as refused:
        tried_edited(ctx, {}, edited)
    assert [e["element_id"] for e in refused.value.errors] == ["grade_a_score"]
