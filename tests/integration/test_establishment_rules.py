"""One test per policy rule (RULES.md R01–R15) at its boundary, through /engine-rest as the
demo users, on the project's real diagrams, decision tables and forms."""
from __future__ import annotations

import pytest

from tests.support.establishment import (
    PLAN, application, assign_experts, co_builder, complete, completed, deploy_models, end_publicity,
    field_errors, formal_review, lead_unit, recommender_decides, send_letter, start_application,
    task, task_keys, to_approval, typed, variables,
)


@pytest.fixture
def cotton(ctx, rest):
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))
    return rest("cotton")


@pytest.fixture
def xju(cotton, rest):
    return rest("xju")


def submitted(client, values: dict) -> str:
    """Start an application and submit `values`; returns the instance id."""
    instance_id = start_application(client)
    completed(client, instance_id, "fill_application", values)
    return instance_id


def attempt(client, values: dict):
    """Start an application and try to submit `values`; returns the response."""
    instance_id = start_application(client)
    return complete(client, task(client, instance_id, "fill_application")["id"], values)


def eligibility(client, instance_id: str) -> tuple[bool, list[str]]:
    shown = variables(client, instance_id)
    return shown["eligible"], shown["eligibilityReasons"]


def assert_not_eligible(client, instance_id: str, reason: str) -> None:
    assert eligibility(client, instance_id) == (False, [reason])
    assert task_keys(client, instance_id) == ["fill_application"]
    assert variables(client, instance_id)["eligibilityMessages"]


def assert_eligible(client, rest, instance_id: str) -> None:
    assert eligibility(client, instance_id) == (True, [])
    assert task_keys(rest("urumqi"), instance_id) == ["recommender_review"]


def university_application(regional_enterprises: int) -> dict:
    co_builders = [co_builder(f"新疆第{i + 1}棉业有限公司") for i in range(regional_enterprises)]
    co_builders.append(co_builder("江苏纺织科技有限公司", in_region=False, core=False, chain="downstream"))
    co_builders.append(co_builder("新疆农业科学院", kind="research_institute", core=False, chain="upstream"))
    return application(
        leadUnit={"name": "新疆大学", "kind": "university", "creditCode": "12650000458000123X",
                  "inRegion": True},
        coBuilders=co_builders,
    )


def with_core_co_builders(count: int) -> dict:
    core = [co_builder(f"新疆第{i + 1}纺织有限公司") for i in range(count)]
    return application(coBuilders=core + [co_builder("新疆纺织服装产业园", kind="park", core=False, chain="support")])


# ------------------------------------------------------------ R01–R03 category, field, region


def test_r01_category_is_domain_or_comprehensive(cotton):
    errors = field_errors(attempt(cotton, application(category="regional")))
    assert errors["category"] == "建设类别：请从给定选项中选择"


def test_r02_domain_center_names_its_field(cotton):
    without_field = application()
    del without_field["field"]
    assert field_errors(attempt(cotton, without_field))["field"] == "所属领域：此项为必填项"
    assert field_errors(attempt(cotton, application(field=None)))["field"] == "所属领域：应填写文本"

    assert field_errors(attempt(cotton, application(field="tourism")))["field"] == "所属领域：请从给定选项中选择"


def test_r02_future_industry_field_is_accepted(cotton, rest):
    instance_id = submitted(cotton, application(field="future_industry"))
    assert_eligible(cotton, rest, instance_id)


def test_r03_comprehensive_center_names_its_carrier_region(cotton, rest):
    comprehensive = application(category="comprehensive", field=None, centerName="新疆乌昌石区域技术创新中心")
    errors = field_errors(attempt(cotton, comprehensive))
    assert errors["region"] == "依托区域：此项为必填项"

    instance_id = submitted(cotton, dict(comprehensive, region="wuchangshi_zone"))
    assert_eligible(cotton, rest, instance_id)


# ------------------------------------------------------------ R04–R07 eligibility (DMN tic_eligibility)


def test_r04_relatively_independent_without_a_plan_date_is_not_eligible(cotton):
    instance_id = submitted(cotton, application(legalEntity="relatively_independent"))
    assert_not_eligible(cotton, instance_id, "LEGAL_ENTITY_PLAN_MISSING")


def test_r04_relatively_independent_with_a_plan_date_is_eligible(cotton, rest):
    values = application(legalEntity="relatively_independent")
    instance_id = start_application(cotton)
    response = cotton.post(f"/task/{task(cotton, instance_id, 'fill_application')['id']}/complete", json={
        "variables": {**typed(values),
                      "legalEntityPlanDate": {"value": "2027-06-30T00:00:00.000+0800", "type": "Date"}},
    })
    assert response.status_code == 204, response.get_json()
    assert_eligible(cotton, rest, instance_id)
    stored = cotton.get(f"/process-instance/{instance_id}/variables").get_json()
    assert stored["legalEntityPlanDate"]["type"] == "Date"


def test_r05_debt_ratio_at_70_percent_is_not_eligible(cotton):
    instance_id = submitted(cotton, application(leadUnit=lead_unit(debtRatio=70.0)))
    assert_not_eligible(cotton, instance_id, "DEBT_RATIO_TOO_HIGH")


def test_r05_debt_ratio_at_69_9_percent_is_eligible(cotton, rest):
    instance_id = submitted(cotton, application(leadUnit=lead_unit(debtRatio=69.9)))
    assert_eligible(cotton, rest, instance_id)


def test_r05_enterprise_lead_must_be_industry_leader_with_independent_rnd(cotton):
    lead = lead_unit(isIndustryLeader=False, hasIndependentRnd=False)
    instance_id = submitted(cotton, application(leadUnit=lead))
    assert eligibility(cotton, instance_id) == (False, ["NOT_INDUSTRY_LEADER", "NO_INDEPENDENT_RND"])


def test_r05_enterprise_lead_must_state_its_debt_ratio(cotton):
    unit = lead_unit()
    del unit["debtRatio"]
    assert field_errors(attempt(cotton, application(leadUnit=unit)))["leadUnit.debtRatio"] == (
        "申报前1年度资产负债率（%）：此项为必填项")


def test_r06_university_lead_with_1_regional_enterprise_is_not_eligible(xju):
    instance_id = submitted(xju, university_application(regional_enterprises=1))
    assert_not_eligible(xju, instance_id, "TOO_FEW_REGIONAL_ENTERPRISES")


def test_r06_university_lead_with_2_regional_enterprises_is_eligible(xju, rest):
    instance_id = submitted(xju, university_application(regional_enterprises=2))
    assert_eligible(xju, rest, instance_id)


def test_r07_6_core_co_builders_are_not_eligible(cotton):
    instance_id = submitted(cotton, with_core_co_builders(6))
    assert_not_eligible(cotton, instance_id, "TOO_MANY_CORE_COBUILDERS")


def test_r07_5_core_co_builders_are_eligible(cotton, rest):
    instance_id = submitted(cotton, with_core_co_builders(5))
    assert_eligible(cotton, rest, instance_id)


def test_r04_to_r07_a_corrected_application_is_checked_afresh(cotton, rest):
    instance_id = submitted(cotton, application(leadUnit=lead_unit(debtRatio=75.0)))
    assert eligibility(cotton, instance_id) == (False, ["DEBT_RATIO_TOO_HIGH"])

    completed(cotton, instance_id, "fill_application", application(leadUnit=lead_unit(debtRatio=60.0)))

    assert_eligible(cotton, rest, instance_id)
    assert variables(cotton, instance_id)["applicationRound"] == 2


# ------------------------------------------------------------ R08–R10 co-builders, plan, signatures


def test_r08_each_co_builder_has_a_chain_position(cotton):
    unit = co_builder("新疆阿拉尔棉纺有限公司")
    del unit["chainPosition"]
    errors = field_errors(attempt(cotton, application(coBuilders=[unit])))
    assert errors["coBuilders.0.chainPosition"] == "产业链位置：此项为必填项"

    other = co_builder("新疆阿拉尔棉纺有限公司", chain="sideways")
    assert field_errors(attempt(cotton, application(coBuilders=[other])))["coBuilders.0.chainPosition"] == (
        "产业链位置：请从给定选项中选择")


def test_r09_an_empty_plan_section_is_refused(cotton):
    errors = field_errors(attempt(cotton, application(plan=dict(PLAN, indicators=""))))
    assert errors["plan.indicators"] == "考核指标：不能为空"

    missing = dict(PLAN)
    del missing["schedule"]
    assert field_errors(attempt(cotton, application(plan=missing)))["plan.schedule"] == "七、建设进度安排：此项为必填项"


def test_r09_a_plan_section_of_only_spaces_is_refused(cotton):
    errors = field_errors(attempt(cotton, application(plan=dict(PLAN, background="　 \n"))))
    assert "不能只填写空白" in errors["plan.background"]


def test_r10_signatures_and_confirmations_are_recorded_with_who_and_when(cotton, rest):
    core_without_signature = co_builder("新疆阿拉尔棉纺有限公司")
    del core_without_signature["signature"]
    errors = field_errors(attempt(cotton, application(coBuilders=[core_without_signature])))
    assert errors["coBuilders.0.signature"] == "核心共建单位意见（签章页）：此项为必填项"

    instance_id = to_approval(rest)
    review = rest("leader").client.get(f"/api/applications/{instance_id}/review",
                                       headers=rest("leader").headers).get_json()
    steps = {step["taskKey"]: step for step in review["steps"]}
    lead = steps["fill_application"]
    assert (lead["completedBy"], lead["variables"]["leadUnitSignature"]["signer"]) == ("cotton", "张建国")
    assert lead["variables"]["coBuilders"][0]["signature"]["signedOn"] == "2026-02-20"
    recommendation = steps["recommender_review"]
    assert recommendation["completedBy"] == "urumqi"
    assert recommendation["completedAt"].endswith("+0800")
    assert recommendation["variables"]["recommenderOpinion"] == "同意推荐"
    assert steps["recommend_letter"]["variables"]["recommenderSignature"]["signer"] == "李明"
    history = cotton.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    (recorded,) = [h for h in history if h["taskDefinitionKey"] == "recommender_review"]
    assert (recorded["completedBy"], recorded["endTime"]) == ("urumqi", recommendation["completedAt"])


# ------------------------------------------------------------ R11–R13 the establishment path


def test_r11_the_application_goes_to_the_recommending_department_it_names(cotton, rest):
    instance_id = submitted(cotton, application(recommenderOrg="gxt"))

    assert task(rest("gxt"), instance_id, "recommender_review")["candidateGroups"] == ["recommender:gxt"]
    assert task_keys(rest("urumqi"), instance_id) == []


def test_r11_the_recommending_department_may_be_named_by_its_full_name(cotton, rest):
    instance_id = submitted(cotton, application(recommenderOrg="自治区工业和信息化厅"))

    assert task(rest("gxt"), instance_id, "recommender_review")["candidateGroups"] == ["recommender:gxt"]
    assert variables(cotton, instance_id)["recommenderOrg"] == "gxt"


def test_r11_the_recommending_department_must_be_a_prefecture_or_industry_authority(cotton):
    errors = field_errors(attempt(cotton, application(recommenderOrg="xju")))
    assert "推荐部门“xju”" in errors["recommenderOrg"]
    assert "recommenderOrg" in field_errors(attempt(cotton, application(recommenderOrg="no_such_org")))


def test_r12_recommender_reviews_prepares_and_sends_the_letter(cotton, rest):
    urumqi = rest("urumqi")
    instance_id = submitted(cotton, application())
    recommender_decides(urumqi, instance_id, "approve")
    letter = task(urumqi, instance_id, "recommend_letter")
    errors = field_errors(complete(urumqi, letter["id"], {"preparatoryBoardFormed": True}))
    assert {"recommendationLetterNo", "recommenderSignature"} <= set(errors)

    send_letter(urumqi, instance_id)
    shown = variables(rest("officer"), instance_id)
    assert (shown["preparatoryBoardFormed"], shown["recommendationLetterNo"]) == (True, "乌政函〔2026〕12号")


def test_r12_recommender_may_return_or_decline(cotton, rest):
    urumqi = rest("urumqi")
    returned = submitted(cotton, application())
    recommender_decides(urumqi, returned, "return", "请补充共建单位的出资承诺")
    assert task_keys(cotton, returned) == ["fill_application"]

    declined = submitted(cotton, application())
    recommender_decides(urumqi, declined, "reject", "不符合本地区产业规划")
    assert task_keys(cotton, declined) == [] and task_keys(urumqi, declined) == []


def test_r13_formal_review_then_expert_panel_and_site_visit(cotton, rest):
    urumqi, officer = rest("urumqi"), rest("officer")
    instance_id = submitted(cotton, application())
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    assert task(officer, instance_id, "formal_review")["candidateGroups"] == ["department"]
    formal_review(officer, instance_id, "pass")

    assert assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"]).status_code == 204
    assert task_keys(officer, instance_id) == ["expert_review"] * 3 + ["site_visit"]


def test_r13_an_expert_panel_below_the_configured_minimum_is_refused(cotton, rest):
    urumqi, officer = rest("urumqi"), rest("officer")
    instance_id = submitted(cotton, application())
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")

    errors = field_errors(assign_experts(officer, instance_id, ["expert4", "expert5"]))
    assert errors["experts"] == "论证专家不少于 3 人，当前只选择了 2 人"
    errors = field_errors(assign_experts(officer, instance_id, ["expert4", "expert5", "officer"]))
    assert errors["experts.2"] == "用户 officer（科技厅经办人）不是评审专家"


# ------------------------------------------------------------ R14 name, approval


def test_r14_a_name_not_of_the_form_xinjiang_dot_dot_center_is_refused(cotton):
    for name in ("天山棉纺技术创新中心", "新疆棉纺技术研究院", "新疆技术创新中心"):
        errors = field_errors(attempt(cotton, application(centerName=name)))
        assert errors["centerName"] == "中心名称：格式不正确", name


def test_r14_an_approved_name_registers_the_center(cotton, rest):
    instance_id = to_approval(rest, centerName="新疆棉花和纺织服装技术创新中心")
    completed(rest("leader"), instance_id, "approval_decision",
              {"approvalDecision": "approve", "approvalOpinion": "择优批准组建"})
    end_publicity(rest("officer"), instance_id)

    shown = variables(rest("officer"), instance_id)
    assert shown["centerCode"] == "XJTIC-2026-001"
    centers = rest("officer").client.get("/api/centers", headers=rest("officer").headers).get_json()
    assert [(c["name"], c["status"]) for c in centers] == [("新疆棉花和纺织服装技术创新中心", "operating")]


# ------------------------------------------------------------ R15 conflict of interest


def _at_expert_assignment(client, rest, values: dict) -> str:
    urumqi, officer = rest("urumqi"), rest("officer")
    instance_id = submitted(client, values)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    return instance_id


def test_r15_an_expert_of_a_co_builder_is_refused(cotton, rest):
    instance_id = _at_expert_assignment(cotton, rest, application())  # 新疆大学 co-builds

    errors = field_errors(assign_experts(rest("officer"), instance_id, ["expert1", "expert4", "expert5"]))

    assert set(errors) == {"experts.0"}
    assert "expert1" in errors["experts.0"] and "新疆大学" in errors["experts.0"]
    assert "回避" in errors["experts.0"]
    assert task_keys(rest("officer"), instance_id) == ["assign_experts"]


def test_r15_an_expert_of_the_lead_unit_is_refused(xju, rest):
    instance_id = _at_expert_assignment(xju, rest, university_application(regional_enterprises=2))

    errors = field_errors(assign_experts(rest("officer"), instance_id, ["expert4", "expert2", "expert5"]))

    assert "expert2" in errors["experts.1"] and "牵头单位“新疆大学”" in errors["experts.1"]


def test_r15_unrelated_experts_are_accepted(cotton, rest):
    instance_id = _at_expert_assignment(cotton, rest, application())
    assert assign_experts(rest("officer"), instance_id, ["expert7", "expert8", "expert9"]).status_code == 204
