"""绩效评估 (tic_evaluation) through /engine-rest and /api as the demo users, from a center
registered by the real establishment process: the 3-year timer (R20), grades and funding
(R21, R27), the next cycle (R22), removal for not taking part (R24), withdrawing (R25) and
integrity violations (R26), and who does which step (R16, R15)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.establishment import (
    MANUAL_REASON, complete, deploy_models, field_errors, instance_state, open_tasks, task, task_keys,
    typed, variables,
)
from tests.support.lifecycle import (
    CODE, FIRST_EVALUATION, api, api_post, authority_review, center, determine_grade,
    due_instant, evaluation_started, expert_panel, graded, instance_of, only_job,
    register_center, run_executor, submit_materials, to_grading,
)


@pytest.fixture
def registered(ctx, rest):
    deploy_models(ctx)
    return register_center(rest)


def ended_at(client, instance_id: str) -> set[str]:
    rows = client.get("/history/activity-instance", query_string={"processInstanceId": instance_id}).get_json()
    return {row["activityId"] for row in rows if row["endTime"] is not None and not row["canceled"]}


# ------------------------------------------------------------------ R20 the cycle and its grades


def test_r20_the_evaluation_starts_when_the_three_year_cycle_ends(registered, rest, ctx, clock):
    officer, cotton = rest("officer"), rest("cotton")
    evaluation = instance_of(officer, FIRST_EVALUATION)["id"]
    job = only_job(officer, evaluation)
    assert (job["activityId"], job["dueDate"]) == ("cycle_end", "2029-03-02T00:00:00.000+0800")

    clock.freeze(due_instant(job) - timedelta(seconds=1))
    run_executor(ctx)
    assert open_tasks(cotton, evaluation) == []

    clock.freeze(due_instant(job))
    run_executor(ctx)
    materials = task(cotton, evaluation, "submit_evaluation_materials")
    assert materials["candidateGroups"] == ["center:tianmian"]
    assert materials["due"] == "2029-05-01T23:59:59.000+0800"
    assert variables(officer, evaluation)["evaluationCycle"] == 1


def test_r20_grades_are_excellent_good_or_poor_and_the_table_suggests_one(registered, rest, clock):
    officer = rest("officer")
    instance_id = to_grading(clock, rest, scores={"expert4": 80, "expert5": 74, "expert6": 77})
    shown = variables(officer, instance_id)
    assert (shown["expertScores"], shown["averageScore"], shown["suggestedGrade"]) == ([80, 74, 77], 77.0, "good")

    errors = field_errors(determine_grade(officer, instance_id, "average"))
    assert errors["grade"] == "评估等级：请从给定选项中选择"
    assert determine_grade(officer, instance_id, "good").status_code == 204


# ------------------------------------------------------------------ R21, R22, R27 funding and cycles


@pytest.mark.parametrize(("grade", "funding"), [("excellent", 200), ("good", 100), ("poor", 0)])
def test_r21_each_grade_is_funded_by_the_table(registered, rest, clock, grade, funding):
    graded(clock, rest, grade)

    assert center(rest("officer"))["evaluations"] == [{"cycle": 1, "grade": grade, "fundingWan": funding}]


@pytest.mark.parametrize("grade", ["excellent", "good"])
def test_r22_excellent_and_good_enter_the_next_cycle_keyed_by_its_start_year(registered, rest, clock, grade):
    officer = rest("officer")
    first = graded(clock, rest, grade)

    assert instance_state(officer, first) == "COMPLETED"
    assert "end_next_cycle" in ended_at(officer, first)
    following = instance_of(officer, f"{CODE}-EV-2029")
    assert following["state"] == "ACTIVE"
    assert only_job(officer, following["id"])["dueDate"] == "2032-03-02T00:00:00.000+0800"
    assert variables(officer, following["id"])["cycleStartDate"] == "2029-03-02"
    assert center(officer)["status"] == "operating"
    assert center(officer)["nextEvaluationDue"] == "2032-03-02"


def test_r27_grade_and_funding_are_kept_per_cycle(registered, rest, clock):
    officer = rest("officer")
    graded(clock, rest, "excellent")
    second = graded(clock, rest, "good", year=2029)

    assert center(officer)["evaluations"] == [
        {"cycle": 1, "grade": "excellent", "fundingWan": 200},
        {"cycle": 2, "grade": "good", "fundingWan": 100},
    ]
    dossier = api(officer, f"/centers/{CODE}/evaluations/2").get_json()
    assert (dossier["cycleStart"], dossier["cycleEnd"], dossier["processInstanceId"]) == (
        "2029-03-02", "2032-03-02", second)
    assert [r["expert"] for r in dossier["expertReviews"]] == ["expert4", "expert5", "expert6"]
    assert dossier["materials"]["submittedBy"] == "cotton"
    assert dossier["authorityReview"]["by"] == "urumqi"
    assert instance_of(officer, f"{CODE}-EV-2032")["state"] == "ACTIVE"


# ------------------------------------------------------------------ removal: R24, R25, R26


def test_r24_no_materials_by_the_deadline_removes_the_center(registered, rest, ctx, clock):
    officer, cotton = rest("officer"), rest("cotton")
    evaluation = evaluation_started(clock, rest)
    deadline = only_job(officer, evaluation)
    assert (deadline["activityId"], deadline["dueDate"]) == ("materials_overdue", "2029-05-01T23:59:59.000+0800")

    clock.freeze(due_instant(deadline) - timedelta(seconds=1))
    run_executor(ctx)
    assert task_keys(cotton, evaluation) == ["submit_evaluation_materials"]

    clock.freeze(due_instant(deadline))
    run_executor(ctx)
    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("delisted", "did_not_participate")
    assert open_tasks(cotton, evaluation) == []
    assert {"materials_overdue", "delist_center", "end_delisted"} <= ended_at(officer, evaluation)
    assert instance_state(officer, evaluation) == "COMPLETED"


def test_r25_withdrawal_by_message_during_the_supervising_units_review_removes_the_center(
        registered, rest, clock):
    officer, urumqi = rest("officer"), rest("urumqi")
    evaluation = evaluation_started(clock, rest)
    assert submit_materials(rest("cotton"), evaluation).status_code == 204

    response = officer.post("/message", json={
        "messageName": "EvaluationWithdrawn", "businessKey": FIRST_EVALUATION,
        "processVariables": typed({"withdrawReason": "中心主动申请退出本轮评估"}),
    })
    assert response.status_code == 204, response.get_json()

    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("delisted", "withdrew")
    assert open_tasks(urumqi, evaluation) == []
    assert "withdrawn_at_authority_review" in ended_at(officer, evaluation)


def test_r25_the_center_withdraws_while_the_experts_review(registered, rest, clock):
    officer, cotton = rest("officer"), rest("cotton")
    evaluation = evaluation_started(clock, rest)
    submit_materials(cotton, evaluation)
    authority_review(rest("urumqi"), evaluation, "approve")
    complete(officer, task(officer, evaluation, "assign_experts")["id"],
             {"experts": ["expert4", "expert5", "expert6"], "panelReason": MANUAL_REASON})
    assert len(open_tasks(rest("expert4"), evaluation)) == 1

    assert api_post(rest("kashgar"), f"/centers/{CODE}/evaluation/withdraw").status_code == 404
    response = api_post(cotton, f"/centers/{CODE}/evaluation/withdraw", {"reason": "主要研发团队调整，申请退出评估"})
    assert response.get_json() == {"businessKey": FIRST_EVALUATION}

    assert center(officer)["delistReason"] == "withdrew"
    assert open_tasks(rest("expert4"), evaluation) == []
    assert open_tasks(officer, evaluation) == []
    removal = [e for e in api(officer, f"/centers/{CODE}/timeline").get_json() if e["kind"] == "status_changed"]
    assert removal[-1]["details"]["note"] == "主要研发团队调整，申请退出评估"


def test_r25_there_is_nothing_to_withdraw_from_between_evaluations(registered, rest):
    response = api_post(rest("cotton"), f"/centers/{CODE}/evaluation/withdraw")
    assert response.status_code == 400
    assert "不在绩效评估中" in response.get_json()["message"]
    assert center(rest("officer"))["status"] == "operating"


def test_r26_an_integrity_violation_is_recorded_with_its_finding_and_removes_the_center(
        registered, rest, clock):
    officer = rest("officer")
    evaluation = to_grading(clock, rest)

    missing = determine_grade(officer, evaluation, "good", violation=True)
    assert "integrityFinding" in field_errors(missing)
    finding = "评估材料中3项专利与本中心无关，系借用他人成果"
    assert determine_grade(officer, evaluation, "good", violation=True, finding=finding).status_code == 204

    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("delisted", "integrity_violation")
    assert shown["evaluations"] == [{"cycle": 1, "grade": "good", "fundingWan": 0}]
    dossier = api(officer, f"/centers/{CODE}/evaluations/1").get_json()
    assert (dossier["integrityViolation"], dossier["integrityFinding"]) == (True, finding)
    assert officer.get("/history/process-instance",
                       query_string={"processInstanceBusinessKey": f"{CODE}-EV-2029"}).get_json() == []


# ------------------------------------------------------------------ R16, R15 who does what


def test_r16_the_center_submits_its_supervising_unit_reviews_and_the_department_grades(
        registered, rest, clock):
    officer, urumqi, kashgar, agency = rest("officer"), rest("urumqi"), rest("kashgar"), rest("agency")
    evaluation = evaluation_started(clock, rest)
    assert open_tasks(rest("xju"), evaluation) == []
    submit_materials(rest("cotton"), evaluation)

    review = task(urumqi, evaluation, "authority_review_materials")
    assert review["candidateGroups"] == ["recommender:urumqi_gov"]
    assert open_tasks(kashgar, evaluation) == []
    assert kashgar.get(f"/task/{review['id']}").status_code == 404
    assert authority_review(urumqi, evaluation, "approve").status_code == 204

    expert_panel(rest, evaluation)
    grading = task(officer, evaluation, "determine_grade")
    assert grading["candidateGroups"] == ["department"]
    assert determine_grade(agency, evaluation, "excellent").status_code == 403
    assert complete(urumqi, grading["id"], {"grade": "excellent"}).status_code == 404
    assert api(agency, f"/centers/{CODE}/evaluations/1").status_code == 200
    assert api(urumqi, f"/centers/{CODE}/evaluations/1").status_code == 403
    assert determine_grade(officer, evaluation, "excellent").status_code == 204


def test_r15_experts_of_the_center_or_its_co_builders_step_aside(registered, rest, clock):
    officer = rest("officer")
    evaluation = evaluation_started(clock, rest)
    submit_materials(rest("cotton"), evaluation)
    authority_review(rest("urumqi"), evaluation, "approve")

    response = complete(officer, task(officer, evaluation, "assign_experts")["id"],
                        {"experts": ["expert1", "expert5", "expert6"], "panelReason": MANUAL_REASON})
    assert "新疆大学" in field_errors(response)["experts.0"]


def test_the_supervising_unit_returns_the_materials_once_for_completion(registered, rest, clock):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    evaluation = evaluation_started(clock, rest)
    submit_materials(cotton, evaluation)
    assert authority_review(urumqi, evaluation, "return", "请补充成果转化合同").status_code == 204

    again = task(cotton, evaluation, "submit_evaluation_materials")
    assert again["due"] == "2029-03-17T23:59:59.000+0800"
    assert variables(cotton, evaluation)["authorityOpinion"] == "请补充成果转化合同"
    submit_materials(cotton, evaluation)

    second = authority_review(urumqi, evaluation, "return", "仍不完整")
    assert "退回补正 1 次" in field_errors(second)["authorityDecision"]
    assert authority_review(urumqi, evaluation, "approve").status_code == 204
    assert task_keys(rest("officer"), evaluation) == ["assign_experts"]
    assert api(rest("officer"), f"/centers/{CODE}/evaluations/1").get_json()["materials"]["submissions"] == 2
