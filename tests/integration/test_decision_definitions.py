"""Decision definitions over /engine-rest: versions at deploy, trial evaluation (试算) in
Camunda 7's shape with the engine that runs processes, and FEEL unary tests deployed and
run inside a process."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.jobs import bpmn, deploy_rest, deployed, form_files, only_task, start

ROOT = Path(__file__).resolve().parents[2]
ELIGIBILITY = (ROOT / "bpmn" / "tic_eligibility.dmn").read_bytes()
FEEL_PROCESS = {"feel_grading.bpmn": bpmn("feel_grading.bpmn"), "feel_grade.dmn": bpmn("feel_grade.dmn"),
                **form_files("flow_opinion")}


def eligibility_inputs(debt_ratio: float) -> dict:
    """Typed variables of an otherwise eligible enterprise-led application (R04–R07 met)."""
    lead = {"kind": "enterprise", "isIndustryLeader": True, "hasIndependentRnd": True, "debtRatio": debt_ratio}
    co_builders = [{"kind": "enterprise", "inRegion": True, "core": True}]
    return {
        "leadUnit": {"value": json.dumps(lead), "type": "Json"},
        "coBuilders": {"value": json.dumps(co_builders), "type": "Json"},
        "legalEntity": {"value": "independent", "type": "String"},
        "legalEntityPlanDate": {"value": None, "type": "Null"},
    }


def evaluated(api, path: str, variables: dict) -> list[dict]:
    response = api.post(f"/decision-definition/{path}/evaluate", json={"variables": variables})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def with_debt_threshold(threshold: str) -> bytes:
    return ELIGIBILITY.replace(b"<text>&gt;= 70</text>", f"<text>&gt;= {threshold}</text>".encode())


# --------------------------------------------------------------------- R05 at the boundary


@pytest.mark.parametrize("user", ["analyst", "officer", "cotton"])
def test_r05_a_debt_ratio_of_69_9_percent_is_eligible_and_70_0_is_not(rest, user):
    deployed(rest("analyst"), {"tic_eligibility.dmn": ELIGIBILITY})
    api = rest(user)

    assert evaluated(api, "key/tic_eligibility", eligibility_inputs(69.9)) == []
    assert evaluated(api, "key/tic_eligibility", eligibility_inputs(70.0)) == [{
        "eligibilityReasons": {"value": "DEBT_RATIO_TOO_HIGH", "type": "String", "valueInfo": {}},
        "eligibilityMessages": {"value": "牵头企业申报前1年度资产负债率须低于70%", "type": "String", "valueInfo": {}},
    }]


def test_evaluating_writes_nothing(rest):
    analyst = rest("analyst")
    deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})
    before = analyst.get("/history/process-instance").get_json()

    evaluated(analyst, "key/tic_eligibility", eligibility_inputs(70.0))

    assert analyst.get("/history/process-instance").get_json() == before == []
    assert analyst.get("/process-instance").get_json() == []


def test_the_latest_version_is_evaluated_unless_an_id_names_another(rest):
    analyst = rest("analyst")
    deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})
    deployed(analyst, {"tic_eligibility.dmn": with_debt_threshold("65")})
    versions = analyst.get("/decision-definition?key=tic_eligibility").get_json()
    assert [d["version"] for d in versions] == [1, 2]

    assert evaluated(analyst, "key/tic_eligibility", eligibility_inputs(69.9)) != []
    assert evaluated(analyst, versions[0]["id"], eligibility_inputs(69.9)) == []
    assert evaluated(analyst, versions[1]["id"], eligibility_inputs(69.9)) != []
    assert "&gt;= 70" in analyst.get(f"/decision-definition/{versions[0]['id']}/xml").get_json()["dmnXml"]
    assert "&gt;= 65" in analyst.get("/decision-definition/key/tic_eligibility/xml").get_json()["dmnXml"]


def test_multiple_matches_of_a_collect_table_are_one_result_each(rest):
    deployed(rest("analyst"), {"tic_eligibility.dmn": ELIGIBILITY})
    variables = eligibility_inputs(80)
    variables["leadUnit"]["value"] = json.dumps({"kind": "enterprise", "isIndustryLeader": False,
                                                 "hasIndependentRnd": True, "debtRatio": 80})

    results = evaluated(rest("officer"), "key/tic_eligibility", variables)

    assert [r["eligibilityReasons"]["value"] for r in results] == ["DEBT_RATIO_TOO_HIGH", "NOT_INDUSTRY_LEADER"]


# ------------------------------------------------------------------------------- refusals


def test_an_unknown_decision_key_is_a_404_in_camundas_error_shape(rest):
    response = rest("officer").post("/decision-definition/key/no_such_table/evaluate", json={"variables": {}})
    assert response.status_code == 404
    body = response.get_json()
    assert body["type"] == "NotFoundException" and "no_such_table" in body["message"]


def test_an_unknown_decision_id_is_a_404(rest):
    response = rest("officer").post("/decision-definition/tic_eligibility:9:x/evaluate", json={"variables": {}})
    assert response.status_code == 404


@pytest.mark.parametrize(("variables", "field"), [
    ({"leadUnit": {"value": "{not json", "type": "Json"}}, "leadUnit"),
    ({"debtRatio": {"value": "high", "type": "Double"}}, "debtRatio"),
    ({"debtRatio": {"value": 1, "type": "Decimal"}}, "debtRatio"),
    ({"1ratio": {"value": 1}}, "1ratio"),
])
def test_bad_variables_are_a_400_naming_the_field(rest, variables, field):
    deployed(rest("analyst"), {"tic_eligibility.dmn": ELIGIBILITY})
    response = rest("officer").post("/decision-definition/key/tic_eligibility/evaluate", json={"variables": variables})
    assert response.status_code == 400
    body = response.get_json()
    assert "变量格式不正确" in body["message"] and [e["field"] for e in body["errors"]] == [field]


def test_a_missing_input_is_a_400_naming_the_table(rest):
    deployed(rest("analyst"), {"tic_eligibility.dmn": ELIGIBILITY})
    response = rest("officer").post("/decision-definition/key/tic_eligibility/evaluate", json={"variables": {}})
    assert response.status_code == 400
    assert "决策表 tic_eligibility 无法计算" in response.get_json()["message"]


# ---------------------------------------------------------------------- definitions


def test_deployed_tables_are_listed_and_found_by_key_with_their_xml(rest):
    analyst = rest("analyst")
    deployment = deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})
    [created] = deployment["deployedDecisionDefinitions"].values()
    assert created["key"] == "tic_eligibility" and created["version"] == 1

    officer = rest("officer")
    assert officer.get("/decision-definition").get_json() == [created]
    assert officer.get("/decision-definition/key/tic_eligibility").get_json() == created
    assert officer.get(f"/decision-definition/{created['id']}").get_json() == created
    xml = officer.get("/decision-definition/key/tic_eligibility/xml").get_json()
    assert xml["id"] == created["id"] and 'decision id="tic_eligibility"' in xml["dmnXml"]
    assert officer.get(f"/decision-definition/{created['id']}/xml").get_json() == xml
    assert officer.get("/decision-definition/key/no_such_table").status_code == 404


def test_an_unchanged_table_makes_no_version_and_going_back_makes_a_new_latest_one(rest):
    analyst = rest("analyst")
    deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})
    assert deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})["deployedDecisionDefinitions"] is None
    deployed(analyst, {"tic_eligibility.dmn": with_debt_threshold("65")})
    deployed(analyst, {"tic_eligibility.dmn": ELIGIBILITY})

    latest = analyst.get("/decision-definition?key=tic_eligibility&latestVersion=true").get_json()
    assert [d["version"] for d in latest] == [3]
    assert evaluated(analyst, "key/tic_eligibility", eligibility_inputs(69.9)) == []


# ------------------------------------------------------------- FEEL inside a process


@pytest.mark.parametrize(("score", "category", "recommended", "grade"), [
    (90, "enterprise", True, "A"),
    (100, "university", True, "A"),
    (90, "park", True, "D"),       # not("park") fails; [75..90[ excludes 90
    (95, "enterprise", False, "D"),
    (89.9, "park", False, "B"),
    (75, "park", True, "B"),
    (74.9, "university", True, "C"),
    (74.9, "park", True, "D"),
])
def test_a_table_of_feel_unary_tests_decides_inside_a_process(rest, score, category, recommended, grade):
    deployed(rest("analyst"), FEEL_PROCESS)
    officer = rest("officer")
    instance = start(officer, "feel_grading", {"score": score, "category": category, "recommended": recommended})

    only_task(officer, instance["id"], "confirm")
    values = officer.get(f"/process-instance/{instance['id']}/variables").get_json()
    assert values["grade"]["value"] == grade


def test_the_trial_evaluation_agrees_with_the_process_on_feel_tables(rest):
    deployed(rest("analyst"), FEEL_PROCESS)
    variables = {"score": {"value": 75, "type": "Integer"}, "category": {"value": "park", "type": "String"},
                 "recommended": {"value": True, "type": "Boolean"}}
    assert evaluated(rest("officer"), "key/feel_grade", variables) == [
        {"grade": {"value": "B", "type": "String", "valueInfo": {}}}
    ]


def test_feel_beyond_the_subset_is_refused_at_deployment_with_its_place(rest):
    table = bpmn("feel_grade.dmn").replace(b"<text>[75..90[</text>", b"<text>[75..limit[</text>")
    response = deploy_rest(rest("analyst"), {**FEEL_PROCESS, "feel_grade.dmn": table})

    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["file"] == "feel_grade.dmn" and error["element_id"] == "grade_b_score" and error["line"]
    assert "决策 feel_grade 第 2 条规则第 1 列（评审得分）" in error["message"]
    assert "不支持的 FEEL 表达式" in error["message"] and "unsupported FEEL" in error["message_en"]
