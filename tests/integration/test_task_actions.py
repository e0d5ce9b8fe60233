"""转办, 委派, 退回, 撤回, 催办, 抄送 and opinions on decisions, through /engine-rest and /api."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import HistoricTask, OutboxMessage, TaskDraft
from tests.support.bench_model import bench_files, deploy
from tests.support.clients import Api
from tests.support.flows import (
    complete_task, completed, deployed, instance_state, only_task, start, task_keys, tasks,
    variables,
)
from tests.support.tasklist import (
    APPLICATION, add_user, deploy_tl, history_events, notifications_of, start_review, through_review,
)


@pytest.fixture
def review(rest):
    deploy_tl(rest("analyst"), "tl_review.bpmn")
    return start_review(rest)


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


def recommend_task(rest, instance_id: str) -> dict:
    completed(rest("cotton"), only_task(rest("cotton"), instance_id, "fill")["id"], **APPLICATION)
    return only_task(rest("urumqi"), instance_id, "recommend")


# 转办 -------------------------------------------------------------------------------------

def test_transfer_hands_the_task_to_a_colleague_of_the_same_scoped_group(ctx, rest, review):
    add_user(ctx, "urumqi2", "urumqi_gov", ["recommender"])
    task = recommend_task(rest, review)

    response = rest("urumqi").post(f"/task/{task['id']}/assignee",
                                   json={"userId": "urumqi2", "opinion": "请小王办理"})

    assert response.status_code == 204, response.get_json()
    assert rest("urumqi2").get(f"/task/{task['id']}").get_json()["assignee"] == "urumqi2"
    [event] = history_events(ctx, review, "task_transferred")
    assert (event["user_id"], event["to_user"], event["opinion"]) == ("urumqi", "urumqi2", "请小王办理")
    [note] = notifications_of(ctx, "urumqi2", "transferred")
    assert note.task_id == task["id"] and "请小王办理" in note.body


def test_transfer_to_the_same_group_of_another_unit_is_refused_naming_the_user(rest, review):
    task = recommend_task(rest, review)

    response = rest("urumqi").post(f"/task/{task['id']}/assignee", json={"userId": "kashgar"})

    assert response.status_code == 400
    assert "kashgar" in response.get_json()["message"]
    assert "候选人" in response.get_json()["message"]


def test_transfer_to_another_group_or_an_inactive_user_is_refused(ctx, rest, review):
    add_user(ctx, "urumqi_gone", "urumqi_gov", ["recommender"], active=False)
    task = recommend_task(rest, review)

    for user in ("cotton", "urumqi_gone", "nobody"):
        response = rest("urumqi").post(f"/task/{task['id']}/assignee", json={"userId": user})
        assert response.status_code == 400, user
        assert user in response.get_json()["message"]


def test_only_the_assignee_may_transfer_a_claimed_task(ctx, rest, review):
    add_user(ctx, "urumqi2", "urumqi_gov", ["recommender"])
    task = recommend_task(rest, review)
    assert rest("urumqi").post(f"/task/{task['id']}/claim").status_code == 204

    response = rest("urumqi2").post(f"/task/{task['id']}/assignee", json={"userId": "urumqi2"})

    assert response.status_code == 403


# 委派 -------------------------------------------------------------------------------------

def test_delegate_then_resolve_hands_a_draft_back_and_the_owner_completes(ctx, rest, review):
    add_user(ctx, "officer2", "kjt", ["department"])
    task = through_review(rest, review)
    officer, delegate = rest("officer"), rest("officer2")
    assert officer.post(f"/task/{task['id']}/claim").status_code == 204

    assert officer.post(f"/task/{task['id']}/delegate",
                        json={"userId": "officer2", "opinion": "请先审材料"}).status_code == 204
    delegated = delegate.get(f"/task/{task['id']}").get_json()
    assert (delegated["assignee"], delegated["owner"], delegated["delegationState"]) == (
        "officer2", "officer", "PENDING")
    refused = complete_task(delegate, task["id"], decision="approve")
    assert refused.status_code == 409
    assert "委派" in refused.get_json()["message"]
    assert delegate.post(f"/task/{task['id']}/unclaim").status_code == 409

    resolved = delegate.post(f"/task/{task['id']}/resolve", json={"variables": {
        "decision": {"value": "return"}, "opinion": {"value": "材料缺少财务报表"}}})

    assert resolved.status_code == 204, resolved.get_json()
    back = officer.get(f"/task/{task['id']}").get_json()
    assert (back["assignee"], back["owner"]) == ("officer", "officer")
    with ctx.db.read() as session:
        draft = session.get(TaskDraft, (task["id"], "officer"))
        assert '"材料缺少财务报表"' in draft.values_json
        assert session.get(HistoricTask, task["id"]).delegation_state == "RESOLVED"
    assert [n.kind for n in notifications_of(ctx, "officer")][-1] == "delegated"
    assert [e["user_id"] for e in history_events(ctx, review, "task_resolved")] == ["officer2"]
    completed(officer, task["id"], decision="approve")
    assert task_keys(officer, review) == ["approve"]


def test_delegate_to_someone_outside_unit_candidates_and_agency_is_refused(rest, review):
    task = through_review(rest, review)

    response = rest("officer").post(f"/task/{task['id']}/delegate", json={"userId": "cotton"})

    assert response.status_code == 400
    assert "cotton" in response.get_json()["message"]


def test_only_the_delegate_may_resolve(ctx, rest, review):
    add_user(ctx, "officer2", "kjt", ["department"])
    task = through_review(rest, review)
    rest("officer").post(f"/task/{task['id']}/delegate", json={"userId": "officer2"})

    assert rest("officer").post(f"/task/{task['id']}/resolve", json={}).status_code == 403


# 审批意见 -----------------------------------------------------------------------------------

def test_returning_or_rejecting_without_an_opinion_is_refused_with_a_field_error(rest, review):
    task = recommend_task(rest, review)

    response = complete_task(rest("urumqi"), task["id"], decision="return", opinion="  ")

    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "opinion", "message": "审核意见：请填写审批意见"}]
    assert response.get_json()["message"].startswith("请填写审批意见")


def test_approving_needs_no_opinion_when_the_form_exempts_it(rest, review):
    task = recommend_task(rest, review)

    assert complete_task(rest("urumqi"), task["id"], decision="approve").status_code == 204


# 退回 -------------------------------------------------------------------------------------

def test_send_back_without_an_opinion_is_a_400_field_error(api, rest, review):
    task = through_review(rest, review)

    response = api("officer").post(f"/tasks/{task['id']}/send-back", json={"activityId": "fill", "opinion": ""})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "opinion"
    assert task_keys(rest("officer"), review) == ["review"]


def test_return_targets_are_the_earlier_steps_with_who_did_them(api, rest, review):
    task = through_review(rest, review)

    response = api("officer").get(f"/tasks/{task['id']}/return-targets")

    assert response.status_code == 200
    assert response.get_json() == [
        {"activityId": "recommend", "name": "推荐部门审核", "assignee": "urumqi"},
        {"activityId": "fill", "name": "填写申报书", "assignee": "cotton"},
    ]


def test_send_back_reopens_the_step_for_its_last_completer_prefilled_with_the_opinion(ctx, api, rest, review):
    task = through_review(rest, review)

    response = api("officer").post(f"/tasks/{task['id']}/send-back",
                                   json={"activityId": "fill", "opinion": "请补充财务数据"})

    assert response.status_code == 200, response.get_json()
    reopened = rest("cotton").get(f"/task/{response.get_json()['taskId']}").get_json()
    assert (reopened["taskDefinitionKey"], reopened["assignee"]) == ("fill", "cotton")
    assert reopened["id"] != task["id"]
    assert task_keys(rest("officer"), review) == ["fill"]
    form = rest("cotton").get(f"/task/{reopened['id']}/form-variables").get_json()
    assert form["centerName"]["value"] == APPLICATION["centerName"]
    values = variables(rest("cotton"), review)
    assert (values["lastReturnOpinion"], values["lastReturnBy"]) == ("请补充财务数据", "officer")
    assert "decision" not in values  # the later steps' answers are undone with them
    [event] = history_events(ctx, review, "task_returned")
    assert (event["user_id"], event["target"], event["opinion"]) == ("officer", "fill", "请补充财务数据")
    [note] = notifications_of(ctx, "cotton", "returned")
    assert "请补充财务数据" in note.body and note.task_id == reopened["id"]
    old = rest("officer").get(f"/history/task?processInstanceId={review}").get_json()
    assert {(t["taskDefinitionKey"], t["deleteReason"]) for t in old} >= {("review", "returned")}
    tree = rest("officer").get(f"/process-instance/{review}/activity-instances").get_json()
    assert sorted(a["activityId"] for a in tree["childActivityInstances"]) == ["fill", "withdrawn_at_fill"]


def test_a_returned_step_can_be_done_again_and_the_process_goes_on(rest, api, review):
    task = through_review(rest, review)
    reopened = api("officer").post(f"/tasks/{task['id']}/send-back",
                                   json={"activityId": "recommend", "opinion": "推荐理由不充分"}).get_json()

    completed(rest("urumqi"), reopened["taskId"], decision="approve", opinion="已补充推荐理由")

    assert task_keys(rest("officer"), review) == ["review"]


def test_send_back_keeps_the_withdrawal_path_of_the_reopened_step(rest, api, review):
    task = through_review(rest, review)
    api("officer").post(f"/tasks/{task['id']}/send-back", json={"activityId": "fill", "opinion": "重填"})

    assert api("cotton").post(f"/instances/{review}/withdraw", json={"reason": "不再申报"}).status_code == 204

    assert instance_state(rest("officer"), review) == "COMPLETED"
    assert tasks(rest("officer"), review) == []


@pytest.fixture
def parallel(rest):
    deploy_tl(rest("analyst"), "tl_parallel.bpmn")
    instance_id = start(rest("officer"), "tl_parallel")
    completed(rest("officer"), only_task(rest("officer"), instance_id, "prepare")["id"], note="材料")
    completed(rest("officer"), only_task(rest("officer"), instance_id, "finance_check")["id"], note="初审")
    return instance_id


def test_send_back_within_the_current_parallel_branch_leaves_the_other_branch_open(rest, api, parallel):
    sign = only_task(rest("officer"), parallel, "finance_sign")

    response = api("officer").post(f"/tasks/{sign['id']}/send-back",
                                   json={"activityId": "finance_check", "opinion": "金额有误"})

    assert response.status_code == 200, response.get_json()
    assert task_keys(rest("officer"), parallel) == ["finance_check", "technical_check"]


def test_send_back_into_another_parallel_branch_is_refused(rest, api, parallel):
    technical = only_task(rest("leader"), parallel, "technical_check")

    response = api("leader").post(f"/tasks/{technical['id']}/send-back",
                                  json={"activityId": "finance_check", "opinion": "退回"})

    assert response.status_code == 400
    assert "并行分支" in response.get_json()["message"]
    assert task_keys(rest("officer"), parallel) == ["finance_sign", "technical_check"]


def test_send_back_from_after_the_join_into_a_branch_is_refused_but_before_the_fork_works(rest, api, parallel):
    completed(rest("officer"), only_task(rest("officer"), parallel, "finance_sign")["id"])
    completed(rest("leader"), only_task(rest("leader"), parallel, "technical_check")["id"])
    conclude = only_task(rest("officer"), parallel, "conclude")

    into_branch = api("officer").post(f"/tasks/{conclude['id']}/send-back",
                                      json={"activityId": "technical_check", "opinion": "退回"})
    targets = api("officer").get(f"/tasks/{conclude['id']}/return-targets").get_json()
    before_fork = api("officer").post(f"/tasks/{conclude['id']}/send-back",
                                      json={"activityId": "prepare", "opinion": "重新准备"})

    assert into_branch.status_code == 400
    assert [t["activityId"] for t in targets] == ["prepare"]
    assert before_fork.status_code == 200
    assert task_keys(rest("officer"), parallel) == ["prepare"]


def test_send_back_to_a_multi_instance_review_is_refused(rest, api):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    instance_id = start(rest("officer"), "flow_expert_review", experts=["expert4", "expert5"])
    for expert in ("expert4", "expert5"):
        completed(rest(expert), only_task(rest(expert), instance_id, "expert_review")["id"], score=80)
    summary = only_task(rest("officer"), instance_id, "summary")

    response = api("officer").post(f"/tasks/{summary['id']}/send-back",
                                   json={"activityId": "expert_review", "opinion": "重评"})

    assert response.status_code == 400
    assert "会签" in response.get_json()["message"]
    assert task_keys(rest("officer"), instance_id) == ["summary"]


def test_send_back_into_a_finished_called_process_reopens_it_and_the_parent_goes_on(rest, api):
    deployed(rest("analyst"), "flow_call_parent.bpmn", "flow_call_child.bpmn")
    officer, cotton = rest("officer"), rest("cotton")
    instance_id = start(officer, "flow_call_parent", project_no="XJ-2026-008")
    completed(cotton, only_task(cotton, instance_id, "unit_fill")["id"],
              projectName="棉纺智能化改造", amount=300, category="重点")
    check = only_task(officer, instance_id, "department_check")

    response = api("officer").post(f"/tasks/{check['id']}/send-back",
                                   json={"activityId": "unit_fill", "opinion": "金额需重新测算"})

    assert response.status_code == 200, response.get_json()
    reopened = only_task(cotton, instance_id, "unit_fill")
    assert (reopened["id"], reopened["assignee"]) == (response.get_json()["taskId"], "cotton")
    assert variables(cotton, instance_id)["amount"] == 300
    completed(cotton, reopened["id"], projectName="棉纺智能化改造", amount=260, category="重点")
    completed(officer, only_task(officer, instance_id, "department_check")["id"], approved=True)
    assert instance_state(officer, instance_id) == "COMPLETED"
    assert variables(officer, instance_id)["amount"] == 260


def test_send_back_to_a_step_not_done_yet_is_refused(rest, api, review):
    task = through_review(rest, review)

    response = api("officer").post(f"/tasks/{task['id']}/send-back",
                                   json={"activityId": "approve", "opinion": "退回"})

    assert response.status_code == 400
    assert "尚未办理" in response.get_json()["message"]


# 撤回 -------------------------------------------------------------------------------------

def test_withdraw_by_the_starter_runs_the_diagrams_withdrawal_path(ctx, rest, api, review):
    recommend_task(rest, review)

    response = api("cotton").post(f"/instances/{review}/withdraw", json={"reason": "主动撤回"})

    assert response.status_code == 204, response.get_json()
    assert instance_state(rest("officer"), review) == "COMPLETED"
    activities = rest("officer").get(f"/history/activity-instance?processInstanceId={review}").get_json()
    assert "withdrawn_end" in {a["activityId"] for a in activities}
    [event] = history_events(ctx, review, "instance_withdrawn")
    assert (event["user_id"], event["reason"]) == ("cotton", "主动撤回")


def test_a_colleague_of_the_applying_unit_may_withdraw(ctx, api, rest, review):
    add_user(ctx, "cotton2", "tianmian", ["lead_unit"])

    assert api("cotton2").post(f"/instances/{review}/withdraw", json={}).status_code == 204


def test_another_unit_cannot_see_let_alone_withdraw(api, rest, review):
    response = api("xju").post(f"/instances/{review}/withdraw", json={"reason": "x"})

    assert response.status_code == 404
    assert instance_state(rest("officer"), review) == "ACTIVE"


def test_the_department_reads_everything_but_may_not_withdraw_for_the_applicant(api, review):
    assert api("officer").post(f"/instances/{review}/withdraw", json={}).status_code == 403


def test_without_a_withdrawal_path_the_instance_is_terminated_as_withdrawn(rest, api):
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    instance_id = start(rest("officer"), "bench_three_step", "B-7", title="临时申请", amount=5)

    assert api("officer").post(f"/instances/{instance_id}/withdraw", json={"reason": "填错了"}).status_code == 204

    [found] = rest("officer").get(f"/history/process-instance?processInstanceId={instance_id}").get_json()
    assert (found["state"], found["deleteReason"]) == ("EXTERNALLY_TERMINATED", "withdrawn")
    assert tasks(rest("officer"), instance_id) == []


def test_withdraw_after_the_end_is_a_conflict(rest, api, review):
    task = through_review(rest, review)
    completed(rest("officer"), task["id"], decision="approve")
    completed(rest("leader"), only_task(rest("leader"), review, "approve")["id"], decision="approve")

    response = api("cotton").post(f"/instances/{review}/withdraw", json={})

    assert response.status_code == 409


# 催办 -------------------------------------------------------------------------------------

def test_urge_reminds_every_candidate_of_an_unclaimed_task_once_an_hour(ctx, clock, rest, api, review):
    add_user(ctx, "urumqi2", "urumqi_gov", ["recommender"])
    task = recommend_task(rest, review)

    first = api("cotton").post(f"/tasks/{task['id']}/urge", json={"message": "请尽快审核"})
    again = api("cotton").post(f"/tasks/{task['id']}/urge", json={})
    clock.advance(timedelta(minutes=61))
    later = api("cotton").post(f"/tasks/{task['id']}/urge", json={})

    assert (first.status_code, first.get_json()) == (200, {"notified": 2})
    assert again.status_code == 400
    assert "一小时" in again.get_json()["message"]
    assert later.status_code == 200
    assert [n.body.endswith("请尽快审核") for n in notifications_of(ctx, "urumqi", "urged")] == [True, False]
    assert len(notifications_of(ctx, "urumqi2", "urged")) == 2
    assert notifications_of(ctx, "kashgar", "urged") == []
    with ctx.db.read() as session:
        channels = session.scalars(select(OutboxMessage.channel).where(
            OutboxMessage.recipient == "urumqi", OutboxMessage.subject.startswith("催办"))).all()
    assert sorted(channels) == ["email", "email", "sms", "sms"]


def test_urge_of_a_claimed_task_reminds_only_its_assignee(ctx, rest, api, review):
    add_user(ctx, "urumqi2", "urumqi_gov", ["recommender"])
    task = recommend_task(rest, review)
    rest("urumqi2").post(f"/task/{task['id']}/claim")

    assert api("cotton").post(f"/tasks/{task['id']}/urge", json={}).get_json() == {"notified": 1}
    assert notifications_of(ctx, "urumqi", "urged") == []


def test_another_unit_cannot_urge(rest, api, review):
    task = recommend_task(rest, review)

    assert api("xju").post(f"/tasks/{task['id']}/urge", json={}).status_code == 404


# 抄送 -------------------------------------------------------------------------------------

def test_carbon_copy_gives_read_only_access_to_the_instance_and_its_tasks(ctx, rest, api, review):
    add_user(ctx, "urumqi_staff", "urumqi_gov", [])
    reader = rest("urumqi_staff")
    task = recommend_task(rest, review)
    assert reader.get(f"/process-instance/{review}").status_code == 404

    response = api("cotton").post(f"/instances/{review}/cc", json={"userIds": ["urumqi_staff"], "note": "请知悉"})

    assert (response.status_code, response.get_json()) == (200, {"added": ["urumqi_staff"]})
    assert reader.get(f"/process-instance/{review}").status_code == 200
    assert reader.get(f"/task/{task['id']}").status_code == 200
    assert [t["id"] for t in tasks(reader, review)] == [task["id"]]
    assert reader.post(f"/task/{task['id']}/claim").status_code == 403
    assert complete_task(reader, task["id"], decision="approve").status_code == 403
    [note] = notifications_of(ctx, "urumqi_staff", "cc")
    assert "请知悉" in note.body
    assert history_events(ctx, review, "instance_cc")[0]["users"] == ["urumqi_staff"]


def test_carbon_copy_to_an_unknown_user_is_refused(api, review):
    response = api("cotton").post(f"/instances/{review}/cc", json={"userIds": ["urumqi", "ghost"]})

    assert response.status_code == 400
    assert "ghost" in response.get_json()["message"]


def test_carbon_copy_needs_someone_to_copy(api, review):
    response = api("cotton").post(f"/instances/{review}/cc", json={"userIds": []})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "userIds"


# Scoping ------------------------------------------------------------------------------------

def test_one_lead_unit_cannot_open_or_claim_another_units_task(rest, review):
    task = only_task(rest("cotton"), review, "fill")

    assert rest("xju").get(f"/task/{task['id']}").status_code == 404
    assert rest("xju").post(f"/task/{task['id']}/claim").status_code == 404
    assert rest("xju").post(f"/task/{task['id']}/assignee", json={"userId": "xju"}).status_code == 404


def test_a_step_sent_back_shows_the_answers_last_given_not_what_the_case_started_with(rest, api):
    deploy_tl(rest("analyst"), "tl_review.bpmn")
    instance_id = start(rest("cotton"), "tl_review", "TIC-2026-002", applicantOrg="tianmian",
                        recommenderOrg="urumqi_gov", recommendDue="2026-03-09T18:00:00+08:00",
                        centerName="新疆棉纺织技术创新中心（草）")
    task = through_review(rest, instance_id)

    api("officer").post(f"/tasks/{task['id']}/send-back", json={"activityId": "fill", "opinion": "重填"})

    assert variables(rest("cotton"), instance_id)["centerName"] == APPLICATION["centerName"]
