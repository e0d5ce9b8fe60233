"""Each decision a process evaluates is kept with what it saw and what it gave, as Camunda's
history keeps it (`/history/decision-instance`): the officer who reads a refused
application's case, and the auditor after them, find which version of 组建条件审查 refused
it, on which inputs, by which rules (R05 here: a debt ratio of 70.0 %)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import HistoricDecisionInstance

from tests.support.establishment import application, completed, deploy_models, lead_unit, start_application
from tests.support.flows import deployed, start
from tests.support.web import text


@pytest.fixture
def cotton(ctx, rest):
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))
    return rest("cotton")


def submitted(client, debt_ratio: float) -> str:
    instance_id = start_application(client)
    completed(client, instance_id, "fill_application", application(leadUnit=lead_unit(debtRatio=debt_ratio)))
    return instance_id


def eligibility_checks(client, instance_id: str, **showing) -> list[dict]:
    response = client.get("/history/decision-instance", query_string={
        "processInstanceId": instance_id, "decisionDefinitionKey": "tic_eligibility", **showing})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_r05_a_refused_application_keeps_the_eligibility_check_that_refused_it(cotton, rest):
    instance_id = submitted(cotton, 70.0)

    [check] = eligibility_checks(cotton, instance_id, includeInputs="true", includeOutputs="true")
    deployed = rest("analyst").get("/decision-definition/key/tic_eligibility").get_json()
    assert check["decisionDefinitionId"] == deployed["id"]
    assert (check["decisionDefinitionName"], check["activityId"], check["userId"]) == (
        "技术创新中心组建条件审查", "check_eligibility", "cotton")
    assert check["processDefinitionKey"] == "tic_establishment" and check["evaluationTime"]
    debt = next(i for i in check["inputs"] if i["clauseId"] == "in_debt_ratio")
    assert (debt["clauseName"], debt["type"], debt["value"]) == ("申报前1年度资产负债率（%）", "Double", 70.0)
    reasons = [o for o in check["outputs"] if o["variableName"] == "eligibilityReasons"]
    assert [o["value"] for o in reasons] == ["DEBT_RATIO_TOO_HIGH"]
    assert reasons[0]["ruleId"] and reasons[0]["ruleOrder"] >= 1

    one = cotton.get(f"/history/decision-instance/{check['id']}").get_json()
    assert (one["id"], one["inputs"], one["outputs"]) == (check["id"], None, None)


def test_r05_an_eligible_application_keeps_a_check_that_matched_no_rule(cotton):
    instance_id = submitted(cotton, 69.9)

    [check] = eligibility_checks(cotton, instance_id, includeOutputs="true")
    assert check["outputs"] == [] and check["inputs"] is None


def test_decision_history_is_read_as_its_case_is_and_filtered_as_camunda_filters(cotton, rest):
    instance_id = submitted(cotton, 70.0)
    check_id = eligibility_checks(cotton, instance_id)[0]["id"]

    # Another applicant reads neither the list entry nor the record itself.
    other = rest("xju")
    assert other.get("/history/decision-instance", query_string={"processInstanceId": instance_id}).get_json() == []
    assert other.get(f"/history/decision-instance/{check_id}").status_code == 404
    officer = rest("officer")
    assert officer.get("/history/decision-instance/count",
                       query_string={"decisionDefinitionKeyIn": "tic_eligibility,tic_publicity",
                                     "processInstanceId": instance_id}).get_json() == {"count": 1}
    assert officer.get("/history/decision-instance/count", query_string={
        "processInstanceId": instance_id, "evaluatedBefore": "2000-01-01T00:00:00.000+0800"}).get_json() == {"count": 0}
    refused = officer.get("/history/decision-instance", query_string={"caseInstanceId": "x"})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "caseInstanceId"
    assert officer.get("/history/decision-instance?sortBy=decisionDefinitionKey&sortOrder=asc").status_code == 400


def test_r05_the_cockpit_case_page_shows_the_rule_that_refused_the_application(cotton, web):
    instance_id = submitted(cotton, 70.0)

    page = text(web("manager").get(f"/cockpit/instances/{instance_id}"))

    assert "决策记录" in page
    decisions = page[page.index("决策记录"):]
    assert "<td>组建条件审查</td>" in decisions and "技术创新中心组建条件审查" in decisions
    assert "申报前1年度资产负债率（%）" in decisions and "70.0" in decisions
    assert "原因代码：DEBT_RATIO_TOO_HIGH" in decisions and "第 " in decisions


def test_inputs_and_outputs_naming_confidential_data_are_shown_only_to_department_staff(rest):
    deployed(rest("analyst"), "flow_suggested_grade.bpmn", "flow_suggested_grade.dmn")
    cotton = rest("cotton")
    instance_id = start(cotton, "flow_suggested_grade", category="domain", averageScore=88)

    def seen(client) -> tuple[dict, dict]:
        [found] = client.get("/history/decision-instance", query_string={
            "processInstanceId": instance_id, "includeInputs": "true", "includeOutputs": "true"}).get_json()
        return ({i["clauseName"]: i["value"] for i in found["inputs"]},
                {o["variableName"]: o["value"] for o in found["outputs"]})

    # The starter reads the case, but neither the experts' average nor the grade it suggests.
    assert seen(cotton) == ({"中心类别": "domain"}, {"track": "domain"})
    assert seen(rest("officer")) == ({"中心类别": "domain", "专家平均分": 88},
                                     {"suggestedGrade": "excellent", "track": "domain"})


def test_a_deployment_deleted_with_its_instances_takes_their_decisions_along(ctx, rest):
    deployment = deployed(rest("analyst"), "flow_suggested_grade.bpmn", "flow_suggested_grade.dmn")
    admin = rest("admin")
    instance_id = start(rest("officer"), "flow_suggested_grade", category="domain", averageScore=60)
    assert admin.get("/history/decision-instance/count",
                     query_string={"processInstanceId": instance_id}).get_json() == {"count": 1}

    assert admin.delete(f"/deployment/{deployment['id']}?cascade=true").status_code == 204

    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HistoricDecisionInstance)) == 0
