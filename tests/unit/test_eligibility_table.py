"""The eligibility decision table bpmn/tic_eligibility.dmn (R04–R07), run by the engine
without a database: every rule at its threshold and the cases the table must not catch."""
from __future__ import annotations

import pytest

from tests.support.decisions import decision_table


@pytest.fixture(scope="module")
def decide():
    # As tic_establishment does: clear the last round's reasons, then decide.
    table = decision_table("tic_eligibility.dmn", "tic_eligibility",
                           prepare="eligibilityReasons = []\neligibilityMessages = []")
    return lambda **overrides: table(**application(**overrides))["eligibilityReasons"]


def unit(name: str, kind: str = "enterprise", in_region: bool = True, core: bool = True) -> dict:
    return {"name": name, "kind": kind, "inRegion": in_region, "core": core, "chainPosition": "midstream"}


def enterprise_lead(**overrides) -> dict:
    lead = {"name": "新疆天棉纺织集团有限公司", "kind": "enterprise", "isIndustryLeader": True,
            "hasIndependentRnd": True, "debtRatio": 55.0, "inRegion": True}
    lead.update(overrides)
    return lead


def application(**overrides) -> dict:
    values = {
        "leadUnit": enterprise_lead(),
        "coBuilders": [unit("新疆大学", "university"), unit("新疆阿拉尔棉纺有限公司")],
        "legalEntity": "independent",
        "legalEntityPlanDate": None,
        # The previous round's result: the table must not keep it.
        "eligibilityReasons": ["DEBT_RATIO_TOO_HIGH"],
    }
    values.update(overrides)
    return values


def test_a_complete_enterprise_application_has_no_reasons(decide):
    assert decide() == []


@pytest.mark.parametrize(("ratio", "reasons"), [
    (69.9, []), (69.99, []), (70, ["DEBT_RATIO_TOO_HIGH"]), (70.0, ["DEBT_RATIO_TOO_HIGH"]),
    (85.5, ["DEBT_RATIO_TOO_HIGH"]), (0, []),
])
def test_r05_debt_ratio_must_be_below_70_percent(decide, ratio, reasons):
    assert decide(leadUnit=enterprise_lead(debtRatio=ratio)) == reasons


def test_r05_every_enterprise_condition_is_reported(decide):
    lead = enterprise_lead(isIndustryLeader=False, hasIndependentRnd=False, debtRatio=80)
    assert decide(leadUnit=lead) == ["DEBT_RATIO_TOO_HIGH", "NOT_INDUSTRY_LEADER", "NO_INDEPENDENT_RND"]


@pytest.mark.parametrize("kind", ["university", "research_institute", "technical_institution",
                                  "new_rnd_institution"])
@pytest.mark.parametrize(("enterprises", "reasons"), [
    (0, ["TOO_FEW_REGIONAL_ENTERPRISES"]), (1, ["TOO_FEW_REGIONAL_ENTERPRISES"]), (2, []), (3, []),
])
def test_r06_institution_leads_need_2_regional_enterprises(decide, kind, enterprises, reasons):
    co_builders = [unit(f"新疆第{i}棉业有限公司") for i in range(enterprises)]
    co_builders += [unit("江苏纺织科技有限公司", in_region=False), unit("新疆农业科学院", "research_institute")]
    lead = {"name": "新疆大学", "kind": kind, "inRegion": True}
    assert decide(leadUnit=lead, coBuilders=co_builders) == reasons


def test_r06_does_not_apply_to_an_enterprise_lead(decide):
    assert decide(coBuilders=[unit("新疆大学", "university")]) == []


@pytest.mark.parametrize(("core", "reasons"), [(5, []), (6, ["TOO_MANY_CORE_COBUILDERS"])])
def test_r07_at_most_5_core_co_builders(decide, core, reasons):
    co_builders = [unit(f"新疆第{i}纺织有限公司") for i in range(core)] + [unit("园区", "park", core=False)]
    assert decide(coBuilders=co_builders) == reasons


@pytest.mark.parametrize(("legal_entity", "plan_date", "reasons"), [
    ("independent", None, []),
    ("relatively_independent", None, ["LEGAL_ENTITY_PLAN_MISSING"]),
    ("relatively_independent", "", ["LEGAL_ENTITY_PLAN_MISSING"]),
    ("relatively_independent", "2027-06-30T00:00:00.000+0800", []),
])
def test_r04_relatively_independent_needs_a_plan_date(decide, legal_entity, plan_date, reasons):
    assert decide(legalEntity=legal_entity, legalEntityPlanDate=plan_date) == reasons
