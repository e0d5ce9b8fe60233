"""技术创新中心组建 (tic_establishment) through /engine-rest as the demo users: the full run,
every decision path, withdrawal, scoping, the approval's review file and ranking, and the
registry the approval writes. The models are the project's own bpmn/ and forms/."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.platform import deployment, notifications
from app.tic import rounds
from tests.support.services import as_user
from tests.support.tasklist import notifications_of
from tests.support.establishment import (
    EXPERT_PANEL, application, approval, assign_experts, complete, deploy_models, ended_activities,
    expert_reviews, field_errors, formal_review, instance_state, open_tasks, recommender_decides,
    send_letter, site_visit, start_application, submit, task, task_keys, to_approval, variables,
    withdraw,
)


@pytest.fixture
def models(ctx):
    # tic_evaluation (issue 4) is left out: these tests are about establishment alone.
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))


def get_api(client, path: str):
    return client.client.get(f"/api{path}", headers=client.headers)


# ------------------------------------------------------------------ the full run


def test_full_run_from_application_to_registered_center(ctx, rest):
    deploy_models(ctx)
    cotton, urumqi, officer, leader = rest("cotton"), rest("urumqi"), rest("officer"), rest("leader")

    instance_id = start_application(cotton, "SQ-2026-001")
    fill = task(cotton, instance_id, "fill_application")
    assert fill["candidateGroups"] == ["lead_unit:tianmian"]
    assert fill["formKey"] == "tic/fill_application"
    submit(cotton, instance_id)

    review = task(urumqi, instance_id, "recommender_review")
    assert review["candidateGroups"] == ["recommender:urumqi_gov"]
    recommender_decides(urumqi, instance_id, "approve", "方案可行，同意推荐")
    send_letter(urumqi, instance_id)

    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"]).status_code == 204
    assert task_keys(officer, instance_id) == ["expert_review"] * 3 + ["site_visit"]
    for expert in ("expert4", "expert5", "expert6"):
        (own,) = open_tasks(rest(expert), instance_id)
        assert own["assignee"] == expert
    expert_reviews(rest, instance_id, EXPERT_PANEL)
    site_visit(officer, instance_id)

    assert task_keys(leader, instance_id) == ["approval_decision"]
    assert variables(leader, instance_id)["averageScore"] == pytest.approx(86.33)
    approval(leader, instance_id, "approve")

    assert instance_state(officer, instance_id) == "COMPLETED"
    code = variables(officer, instance_id)["centerCode"]
    assert code == "XJTIC-2026-001"
    assert [c["code"] for c in get_api(officer, "/centers").get_json()] == [code]
    assert [c["code"] for c in get_api(cotton, "/centers").get_json()] == [code]
    assert get_api(rest("kashgar"), "/centers").get_json() == []
    assert get_api(rest("kashgar"), f"/centers/{code}").status_code == 404


def test_registered_center_has_the_registry_shape(models, rest, clock):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve")

    center = get_api(rest("urumqi"), "/centers/XJTIC-2026-001").get_json()

    assert center == {
        "code": "XJTIC-2026-001",
        "name": "新疆棉花和纺织服装技术创新中心",
        "status": "operating",
        "category": "domain",
        "field": "cotton_textile",
        "region": None,
        "leadUnit": {**application()["leadUnit"], "organizationId": "tianmian"},
        "coBuilders": [
            {"name": "新疆大学", "kind": "university", "inRegion": True, "core": True,
             "chainPosition": "upstream"},
            {"name": "新疆阿拉尔棉纺有限公司", "kind": "enterprise", "inRegion": True, "core": True,
             "chainPosition": "midstream"},
            {"name": "新疆纺织服装产业园", "kind": "park", "inRegion": True, "core": False,
             "chainPosition": "support"},
        ],
        "supervisingOrg": {"id": "urumqi_gov", "name": "乌鲁木齐市人民政府"},
        "approvedAt": "2026-03-02",
        "nextEvaluationDue": "2029-03-02",
        "evaluations": [],
        "changes": [],
        "delistReason": None,
    }


def test_center_codes_count_per_year_of_the_approval_date_in_shanghai(models, rest, clock, ctx):
    as_user(ctx, "officer", rounds.open_round, {"title": "2027年度申报", "opensOn": "2027-01-01",
                                                "closesOn": "2027-12-31", "fields": list(rounds.COVERABLE),
                                                "quota": 5})
    first = to_approval(rest, "SQ-2026-001")
    second = to_approval(rest, "SQ-2026-002", centerName="新疆现代农业技术创新中心", field="modern_agriculture")
    approval(rest("leader"), first, "approve")
    # 2026-12-31 16:30 UTC is already 1 January 2027 in Urumqi's official time.
    clock.freeze(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    approval(rest("leader"), second, "approve")
    third = to_approval(rest, "SQ-2027-001", centerName="新疆生物医药技术创新中心", field="biomedicine")
    approval(rest("leader"), third, "approve")

    centers = get_api(rest("officer"), "/centers").get_json()
    assert [(c["code"], c["approvedAt"]) for c in centers] == [
        ("XJTIC-2026-001", "2026-03-02"), ("XJTIC-2027-001", "2027-01-01"), ("XJTIC-2027-002", "2027-01-01"),
    ]


def test_a_name_already_registered_cannot_be_approved_again(models, rest):
    first = to_approval(rest, "SQ-2026-001")
    second = to_approval(rest, "SQ-2026-002")
    leader = rest("leader")
    approval(leader, first, "approve")

    refused = complete(leader, task(leader, second, "approval_decision")["id"],
                       {"approvalDecision": "approve", "approvalOpinion": "同意"})
    assert "新疆棉花和纺织服装技术创新中心" in field_errors(refused)["approvalDecision"]
    approval(leader, second, "reject", "已有同名中心")
    assert [c["code"] for c in get_api(rest("officer"), "/centers").get_json()] == ["XJTIC-2026-001"]


STAND_IN_EVALUATION = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="stand_in" targetNamespace="http://tic-flow/test">
  <bpmn:process id="tic_evaluation" name="绩效评估（测试替身）" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="cycle_end"/>
    <bpmn:intermediateCatchEvent id="cycle_end" name="评估周期届满">
      <bpmn:timerEventDefinition><bpmn:timeDate>${nextEvaluationDue}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="cycle_end" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def evaluations(client) -> list[dict]:
    return client.get("/process-instance", query_string={"businessKey": "XJTIC-2026-001-EV-2026"}).get_json()


def test_approval_starts_the_evaluation_cycle_when_tic_evaluation_is_deployed(models, ctx, rest):
    with ctx.db.command() as session:
        deployment.deploy(ctx, session, None, "stand-in",
                          {"tic_evaluation.bpmn": STAND_IN_EVALUATION.encode()})
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve")

    officer = rest("officer")
    (evaluation,) = evaluations(officer)
    assert evaluation["definitionId"].startswith("tic_evaluation:")
    assert variables(officer, evaluation["id"])["centerCode"] == "XJTIC-2026-001"
    (job,) = officer.get("/job", query_string={"processInstanceId": evaluation["id"]}).get_json()
    assert job["dueDate"] == "2029-03-02T00:00:00.000+0800"


def test_without_tic_evaluation_deployed_the_center_still_records_its_first_evaluation_due(models, rest):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve")

    officer = rest("officer")
    assert evaluations(officer) == []
    assert get_api(officer, "/centers/XJTIC-2026-001").get_json()["nextEvaluationDue"] == "2029-03-02"


# ------------------------------------------------------------------ decision paths


def test_recommender_returns_the_application_with_its_opinion_and_the_answers_kept(models, rest):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "return", "请补充经费投入的来源说明")

    fill = task(cotton, instance_id, "fill_application")
    shown = variables(cotton, instance_id)
    assert (shown["recommenderOpinion"], shown["applicationRound"]) == ("请补充经费投入的来源说明", 2)
    prefilled = cotton.get(f"/task/{fill['id']}/form-variables").get_json()
    assert prefilled["centerName"]["value"] == "新疆棉花和纺织服装技术创新中心"
    assert prefilled["plan"]["type"] == "Json"

    plan = dict(application()["plan"], funding="市财政配套5000万元，企业自筹7000万元。")
    submit(cotton, instance_id, plan=plan)
    assert task_keys(urumqi, instance_id) == ["recommender_review"]
    history = cotton.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    rounds = [h for h in history if h["taskDefinitionKey"] == "fill_application"]
    assert [h["completedBy"] for h in rounds] == ["cotton", "cotton"]


def test_recommender_rejects_and_the_application_ends(models, rest):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "reject", "与本地区产业布局不符")

    assert instance_state(cotton, instance_id) == "COMPLETED"
    assert "end_not_recommended" in ended_activities(cotton, instance_id)
    assert open_tasks(rest("officer"), instance_id) == []


def test_recommender_approval_leads_to_the_letter_then_the_formal_review(models, rest):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    assert task_keys(urumqi, instance_id) == ["recommend_letter"]
    send_letter(urumqi, instance_id)
    assert task_keys(rest("officer"), instance_id) == ["formal_review"]


def test_formal_review_returns_the_application_to_the_lead_unit(models, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "return", "考核指标不够具体")

    assert task_keys(cotton, instance_id) == ["fill_application"]
    shown = variables(cotton, instance_id)
    assert (shown["formalReviewOpinion"], shown["applicationRound"]) == ("考核指标不够具体", 2)
    submit(cotton, instance_id)
    assert task_keys(urumqi, instance_id) == ["recommender_review"]


def test_formal_review_rejects_and_the_application_ends(models, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "reject", "不符合组建条件")

    assert instance_state(officer, instance_id) == "COMPLETED"
    assert "end_formal_rejected" in ended_activities(officer, instance_id)


def test_approval_rejected_registers_no_center(models, rest):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "reject", "择优未入选")

    officer = rest("officer")
    assert instance_state(officer, instance_id) == "COMPLETED"
    assert "end_not_approved" in ended_activities(officer, instance_id)
    assert get_api(officer, "/centers").get_json() == []


def test_expert_panel_and_site_visit_run_in_parallel_and_keep_both_results(models, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"])

    site_visit(officer, instance_id, passed=False)
    assert task_keys(officer, instance_id) == ["expert_review"] * 3
    expert_reviews(rest, instance_id, {"expert4": 70, "expert5": 50, "expert6": 61})

    shown = variables(officer, instance_id)
    results = (shown["siteVisitPassed"], shown["averageScore"], shown["expertsRecommending"])
    assert results == (False, 60.33, 2)
    assert task_keys(officer, instance_id) == ["approval_decision"]


# ------------------------------------------------------------------ withdrawal


def test_withdrawal_while_filling_ends_the_application_as_withdrawn(models, rest):
    cotton = rest("cotton")
    instance_id = start_application(cotton, "SQ-2026-009")

    assert withdraw(cotton, "SQ-2026-009").status_code == 204

    assert instance_state(cotton, instance_id) == "COMPLETED"
    assert variables(cotton, instance_id)["withdrawn"] is True
    assert {"withdrawn_at_fill_application", "end_withdrawn"} <= ended_activities(cotton, instance_id)
    assert open_tasks(cotton, instance_id) == []


def test_withdrawal_during_the_recommender_review_cancels_its_task(models, rest):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton, "SQ-2026-010")
    submit(cotton, instance_id)
    review = task(urumqi, instance_id, "recommender_review")

    assert withdraw(cotton, "SQ-2026-010").status_code == 204

    assert open_tasks(urumqi, instance_id) == []
    late = complete(urumqi, review["id"], {"recommenderDecision": "approve", "recommenderOpinion": "同意"})
    assert late.status_code in (404, 409)
    assert variables(cotton, instance_id)["withdrawn"] is True


def test_withdrawal_during_expert_review_cancels_every_expert_task(models, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton, "SQ-2026-011")
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"])
    expert_reviews(rest, instance_id, {"expert4": 80})

    assert withdraw(cotton, "SQ-2026-011").status_code == 204

    assert open_tasks(officer, instance_id) == []
    assert open_tasks(rest("expert5"), instance_id) == []
    assert instance_state(officer, instance_id) == "COMPLETED"
    assert "withdrawn_at_call_expert_review" in ended_activities(officer, instance_id)


def test_withdrawal_while_awaiting_approval_ends_it_and_registers_nothing(models, rest):
    instance_id = to_approval(rest, "SQ-2026-012")

    assert withdraw(rest("cotton"), "SQ-2026-012").status_code == 204

    officer = rest("officer")
    assert variables(officer, instance_id)["withdrawn"] is True
    assert get_api(officer, "/applications/ranking").get_json() == []
    assert get_api(officer, "/centers").get_json() == []


def test_withdrawal_by_a_unit_that_cannot_see_the_application_is_refused(models, rest):
    instance_id = start_application(rest("cotton"), "SQ-2026-014")

    for user in ("kashgar", "xju"):
        response = withdraw(rest(user), "SQ-2026-014")
        assert response.status_code == 400
        assert response.get_json()["type"] == "MismatchingMessageCorrelationException"
    assert instance_state(rest("cotton"), instance_id) == "ACTIVE"


def test_withdrawal_after_approval_is_refused(models, rest):
    instance_id = to_approval(rest, "SQ-2026-013")
    approval(rest("leader"), instance_id, "approve")

    response = withdraw(rest("cotton"), "SQ-2026-013")
    assert response.status_code == 400
    assert response.get_json()["type"] == "MismatchingMessageCorrelationException"


# ------------------------------------------------------------------ scoping


def test_another_recommender_cannot_see_or_do_urumqis_review(models, rest):
    cotton, kashgar = rest("cotton"), rest("kashgar")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    review = task(rest("urumqi"), instance_id, "recommender_review")

    assert kashgar.get("/task", query_string={"taskDefinitionKey": "recommender_review"}).get_json() == []
    assert kashgar.get(f"/task/{review['id']}").status_code == 404
    refused = complete(kashgar, review["id"], {"recommenderDecision": "approve", "recommenderOpinion": "同意"})
    assert refused.status_code == 404


def test_each_recommender_lists_only_the_reviews_of_its_own_applications(models, rest):
    cotton, urumqi, kashgar = rest("cotton"), rest("urumqi"), rest("kashgar")
    to_urumqi, to_kashgar = start_application(cotton, "SQ-A"), start_application(cotton, "SQ-B")
    submit(cotton, to_urumqi)
    submit(cotton, to_kashgar, recommenderOrg="kashgar_gov")

    # The same query for two readers with as many groups: each sees only its own.
    for reader, instance_id in ((urumqi, to_urumqi), (kashgar, to_kashgar), (urumqi, to_urumqi)):
        listed = reader.get("/task", query_string={"taskDefinitionKey": "recommender_review"}).get_json()
        assert [t["processInstanceId"] for t in listed] == [instance_id]


def test_an_expert_sees_only_the_review_assigned_to_them(models, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assign_experts(officer, instance_id, ["expert4", "expert5", "expert6"])

    (mine,) = open_tasks(rest("expert4"), instance_id)
    (theirs,) = open_tasks(rest("expert5"), instance_id)
    assert mine["id"] != theirs["id"]
    assert rest("expert4").get(f"/task/{theirs['id']}").status_code == 404
    assert open_tasks(rest("expert7"), instance_id) == []


def test_another_lead_unit_cannot_see_the_application(models, rest):
    instance_id = start_application(rest("cotton"))

    assert open_tasks(rest("xju"), instance_id) == []
    assert rest("xju").get(f"/process-instance/{instance_id}/variables").status_code == 404


def test_only_lead_units_start_an_application(models, rest):
    response = rest("urumqi").post("/process-definition/key/tic_establishment/start", json={})
    assert response.status_code == 403


# ------------------------------------------------------------------ approval context


def test_ranking_lists_applications_awaiting_approval_best_score_first(models, rest):
    weaker = to_approval(rest, "SQ-2026-021", scores={"expert4": 70, "expert5": 72, "expert6": 74})
    stronger = to_approval(rest, "SQ-2026-022", scores={"expert7": 95, "expert8": 90, "expert9": 85},
                           centerName="新疆先进装备制造技术创新中心", field="advanced_equipment")

    ranking = get_api(rest("leader"), "/applications/ranking").get_json()

    assert [(r["processInstanceId"], r["rank"], r["averageScore"]) for r in ranking] == [
        (stronger, 1, 90.0), (weaker, 2, 72.0),
    ]
    assert ranking[0]["centerName"] == "新疆先进装备制造技术创新中心"
    assert ranking[0]["leadUnit"] == "新疆天棉纺织集团有限公司"
    assert get_api(rest("cotton"), "/applications/ranking").status_code == 403


def test_review_file_shows_every_expert_and_the_site_visit(models, rest):
    instance_id = to_approval(rest)

    review = get_api(rest("leader"), f"/applications/{instance_id}/review").get_json()

    assert [(r["expert"], r["organization"], r["score"]) for r in review["expertReviews"]] == [
        ("expert4", "石河子大学", 88), ("expert5", "新疆农业科学院", 92), ("expert6", "中国科学院新疆理化技术研究所", 79),
    ]
    assert all(r["opinion"] and r["submittedAt"] for r in review["expertReviews"])
    assert review["expertPanel"]["assignedBy"] == "officer"
    assert (review["averageScore"], review["expertsRecommending"]) == (86.33, 3)
    assert review["siteVisit"]["passed"] is True
    assert review["siteVisit"]["report"] == "研发场地、人员和设备到位，运行准备充分"
    assert review["application"]["centerName"] == "新疆棉花和纺织服装技术创新中心"


def test_review_file_is_for_the_department_side_only(models, rest):
    instance_id = to_approval(rest)

    for user in ("cotton", "urumqi", "expert4"):
        assert get_api(rest(user), f"/applications/{instance_id}/review").status_code == 403
    assert get_api(rest("agency"), f"/applications/{instance_id}/review").status_code == 200
    assert get_api(rest("leader"), "/applications/no-such-id/review").status_code == 404


def test_the_registry_api_needs_authentication(client):
    response = client.get("/api/centers")
    assert response.status_code == 401
    assert response.get_json()["type"] == "AuthenticationException"


def test_a_task_of_the_wrong_form_is_refused_field_by_field(models, rest):
    cotton = rest("cotton")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    review = task(rest("urumqi"), instance_id, "recommender_review")

    response = complete(rest("urumqi"), review["id"], {"recommenderDecision": "maybe", "eligible": True})
    errors = field_errors(response)
    assert set(errors) == {"recommenderDecision", "recommenderOpinion", ""}


def test_the_applicant_hears_the_approval_with_the_center_code(models, ctx, rest):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve")

    [note] = notifications_of(ctx, "cotton", "decided")
    assert note.instance_id == instance_id
    assert notifications.sides(note.title) == (
        "流程已办结：批准组建（中心编号 XJTIC-2026-001）；理由：同意组建",
        "Case closed: Establishment approved (center code XJTIC-2026-001); reason: 同意组建")
    assert "已办结：批准组建（中心编号 XJTIC-2026-001）" in notifications.sides(note.body)[0]


def test_the_applicant_hears_a_refusal_with_its_reason(models, ctx, rest):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "reject", "择优未入选")

    [note] = notifications_of(ctx, "cotton", "decided")
    chinese, english = notifications.sides(note.body)
    assert chinese.endswith("已办结：不予批准；理由：择优未入选。")
    assert english.endswith("is closed: Not approved; reason: 择优未入选.")
