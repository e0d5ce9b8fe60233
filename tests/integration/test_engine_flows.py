"""BPMN flows end to end through /engine-rest: gateways, multi-instance, subprocesses, DMN,
messages, forms and authorization.

Each test runs twice: with the instance cache off, every REST command reloads the
instance from the database, so each step is also a save/restore round trip; with it on,
commands take the workflow the previous one saved. The engine-level tests at the end run
the same models straight through and with serialize + restore after every step, and
compare the outcomes.
"""
from __future__ import annotations

import copy

import pytest

from app.engine.compiler import SourceFile, compile_models
from app.engine.runtime import WorkflowEngine
from tests.support.clients import basic
from tests.support.flows import (
    FLOW_FORMS, complete_task, completed, deployed, fixture_path, instance_state, only_task,
    start, task_keys, tasks, typed, variables,
)


pytestmark = pytest.mark.restored_and_cached


# ------------------------------------------------------------------ exclusive gateway


@pytest.fixture
def exclusive(rest):
    deployed(rest("analyst"), "flow_exclusive.bpmn")
    return rest("officer")


def test_exclusive_gateway_takes_juel_condition_branch_when_amount_is_large(exclusive, rest):
    instance_id = start(exclusive, "flow_exclusive", amount=500, category="一般")

    assert task_keys(exclusive, instance_id) == ["leader_approval"]
    task = only_task(exclusive, instance_id, "leader_approval")
    assert task["candidateGroups"] == ["department_leader"]
    completed(rest("leader"), task["id"], approved=True)
    assert instance_state(exclusive, instance_id) == "COMPLETED"


def test_exclusive_gateway_takes_python_condition_branch_for_key_projects(exclusive):
    instance_id = start(exclusive, "flow_exclusive", amount=80, category="重点")

    assert task_keys(exclusive, instance_id) == ["key_review"]
    completed(exclusive, only_task(exclusive, instance_id, "key_review")["id"], approved=True)
    assert instance_state(exclusive, instance_id) == "COMPLETED"


def test_exclusive_gateway_takes_default_flow_when_no_condition_holds(exclusive):
    instance_id = start(exclusive, "flow_exclusive", amount=100, category="一般")

    assert task_keys(exclusive, instance_id) == ["officer_check"]
    assert instance_state(exclusive, instance_id) == "ACTIVE"
    completed(exclusive, only_task(exclusive, instance_id, "officer_check")["id"], comment="同意")
    assert instance_state(exclusive, instance_id) == "COMPLETED"


def test_exclusive_gateway_condition_on_a_missing_variable_refuses_the_start(exclusive):
    response = exclusive.post("/process-definition/key/flow_exclusive/start",
                              json={"variables": {"amount": {"value": 50}}})

    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["type"] and "category" in body["message"]
    assert exclusive.get("/process-instance",
                         query_string={"processDefinitionKey": "flow_exclusive"}).get_json() == []


# ------------------------------------------------------------------ parallel gateway


def test_parallel_gateway_opens_both_branches_and_join_waits_for_both(rest):
    deployed(rest("analyst"), "flow_parallel.bpmn")
    officer, leader = rest("officer"), rest("leader")
    instance_id = start(officer, "flow_parallel", project_no="XJ-2026-001")

    assert task_keys(officer, instance_id) == ["finance_review", "technical_review"]

    completed(officer, only_task(officer, instance_id, "finance_review")["id"],
              approved=True, comment="财务合规")
    assert task_keys(officer, instance_id) == ["technical_review"]
    assert instance_state(officer, instance_id) == "ACTIVE"

    completed(leader, only_task(leader, instance_id, "technical_review")["id"], approved=True)
    assert task_keys(officer, instance_id) == ["summary"]

    values = variables(officer, instance_id)
    assert values["project_no"] == "XJ-2026-001"
    assert values["comment"] == "财务合规"
    completed(officer, only_task(officer, instance_id, "summary")["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"


# ------------------------------------------------------------------ multi-instance


EXPERTS = ["expert2", "expert4", "expert7"]


def test_multi_instance_review_assigns_one_task_to_each_expert(rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_expert_review", experts=EXPERTS)

    open_tasks = tasks(officer, instance_id)
    assert sorted(t["assignee"] for t in open_tasks) == EXPERTS
    assert {t["taskDefinitionKey"] for t in open_tasks} == {"expert_review"}

    mine = tasks(rest("expert4"), assignee="expert4")
    assert [(t["processInstanceId"], t["assignee"]) for t in mine] == [(instance_id, "expert4")]
    assert tasks(rest("expert1"), instance_id) == []


def test_multi_instance_expert_cannot_complete_another_experts_task(rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_expert_review", experts=EXPERTS)
    by_expert = {t["assignee"]: t for t in tasks(officer, instance_id)}

    other = complete_task(rest("expert2"), by_expert["expert4"]["id"], score=90)
    assert other.status_code in (403, 404), other.get_json()
    assert other.get_json()["type"] in ("AuthorizationException", "NotFoundException")
    outsider = complete_task(rest("expert1"), by_expert["expert4"]["id"], score=90)
    assert outsider.status_code in (403, 404), outsider.get_json()

    assert sorted(t["assignee"] for t in tasks(officer, instance_id)) == EXPERTS
    assert "score" not in variables(officer, instance_id)


def test_multi_instance_moves_on_only_after_every_expert_completed(rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_expert_review", experts=EXPERTS)
    by_expert = {t["assignee"]: t for t in tasks(officer, instance_id)}

    for expert, still_open in [("expert7", ["expert2", "expert4"]), ("expert2", ["expert4"])]:
        completed(rest(expert), by_expert[expert]["id"], score=85, comment="同意立项")
        remaining = tasks(officer, instance_id)
        assert sorted(t["assignee"] for t in remaining) == still_open
        assert {t["taskDefinitionKey"] for t in remaining} == {"expert_review"}
        assert instance_state(officer, instance_id) == "ACTIVE"

    completed(rest("expert4"), by_expert["expert4"]["id"], score=95)
    assert task_keys(officer, instance_id) == ["summary"]

    history = officer.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    reviews = [h for h in history if h["taskDefinitionKey"] == "expert_review"]
    assert sorted((h["assignee"], h["deleteReason"]) for h in reviews) == [
        (e, "completed") for e in EXPERTS
    ]
    assert {h["assignee"]: h["completedBy"] for h in reviews} == {e: e for e in EXPERTS}


def test_multi_instance_finishes_cleanly_on_a_worker_that_did_not_start_it(ctx, rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_expert_review", experts=EXPERTS)
    by_expert = {t["assignee"]: t for t in tasks(officer, instance_id)}

    for expert in ["expert4", "expert2", "expert7"]:
        ctx.engine = WorkflowEngine(ctx.clock)  # another worker: no parsed spec in memory
        completed(rest(expert), by_expert[expert]["id"], score=88)

    assert task_keys(officer, instance_id) == ["summary"]
    assert variables(officer, instance_id)["experts"] == EXPERTS


# ------------------------------------------------------------------ call activity, subprocess


APPLICATION = {"projectName": "棉纺智能制造中试基地", "amount": 800, "category": "重点"}


def test_call_activity_task_appears_under_parent_instance_and_returns_data(rest):
    deployed(rest("analyst"), "flow_call_parent.bpmn", "flow_call_child.bpmn")
    officer, cotton = rest("officer"), rest("cotton")
    instance_id = start(officer, "flow_call_parent", project_no="XJ-2026-007")

    child_tasks = tasks(cotton)
    assert [(t["taskDefinitionKey"], t["processInstanceId"]) for t in child_tasks] == [
        ("unit_fill", instance_id)
    ]
    assert child_tasks[0]["name"] == "单位填报申报书"
    assert child_tasks[0]["formKey"] == "flow_application"
    assert child_tasks[0]["candidateGroups"] == ["lead_unit"]

    completed(cotton, child_tasks[0]["id"], **APPLICATION)

    assert task_keys(officer, instance_id) == ["department_check"]
    values = variables(officer, instance_id)
    assert {k: values[k] for k in APPLICATION} == APPLICATION
    assert values["project_no"] == "XJ-2026-007"
    completed(officer, only_task(officer, instance_id, "department_check")["id"], approved=True)
    assert instance_state(officer, instance_id) == "COMPLETED"


def test_called_process_task_is_validated_against_its_own_form(rest):
    deployed(rest("analyst"), "flow_call_parent.bpmn", "flow_call_child.bpmn")
    officer, cotton = rest("officer"), rest("cotton")
    start(officer, "flow_call_parent", project_no="XJ-2026-008")
    task = tasks(cotton)[0]

    form = cotton.get(f"/task/{task['id']}/form").get_json()
    response = complete_task(cotton, task["id"], projectName="")

    assert form["schema"] is not None
    assert response.status_code == 400
    assert response.get_json()["type"] == "FormValidationException"


def test_called_process_can_also_be_started_on_its_own(rest):
    result = deployed(rest("analyst"), "flow_call_parent.bpmn", "flow_call_child.bpmn")
    keys = sorted(d["key"] for d in result["deployedProcessDefinitions"].values())
    assert keys == ["flow_call_child", "flow_call_parent"]

    cotton = rest("cotton")
    instance_id = start(cotton, "flow_call_child")
    assert task_keys(cotton, instance_id) == ["unit_fill"]


def test_embedded_subprocess_user_task_then_service_task_then_next_step(rest):
    deployed(rest("analyst"), "flow_embedded.bpmn")
    officer, leader = rest("officer"), rest("leader")
    instance_id = start(officer, "flow_embedded", project_no="XJ-2026-010")

    task = only_task(officer, instance_id, "formal_check")
    assert task["name"] == "形式审查"
    assert task_keys(officer, instance_id) == ["formal_check"]

    completed(officer, task["id"], approved=True, comment="材料齐全")

    assert task_keys(leader, instance_id) == ["confirm"]
    values = variables(officer, instance_id)
    assert values["comment"] == "材料齐全"
    assert values["archive_no"] == "GD-XJ-2026-010"
    completed(leader, only_task(leader, instance_id, "confirm")["id"], approved=True)
    assert instance_state(officer, instance_id) == "COMPLETED"


def test_a_subprocess_without_a_start_event_starts_every_node_without_incoming_flow_as_bpmn_says(rest):
    """BPMN 2.0 (10.5.2): without a start event, every flow node with no incoming sequence
    flow starts with the subprocess; one with none completes at once (MIWG A.3.0's
    collapsed subprocess). Camunda 7 deploys such a model and fails when it is reached."""
    body = deployed(rest("analyst"), "flow_implicit_start.bpmn")
    warned = {(w["element_id"], w["severity"]) for w in body["warnings"]}
    assert warned == {("joint_review", "warning"), ("archive", "warning")}
    assert all("没有开始事件" in w["message"] for w in body["warnings"])
    officer, leader = rest("officer"), rest("leader")
    instance_id = start(officer, "flow_implicit_start")

    assert sorted(task_keys(officer, instance_id)) == ["finance_check", "formal_check"]
    history = officer.get("/history/activity-instance", query_string={"processInstanceId": instance_id})
    assert [(a["activityId"], a["activityType"]) for a in history.get_json()][:2] == [
        ("start", "startEvent"), ("joint_review", "subProcess")]
    completed(officer, only_task(officer, instance_id, "formal_check")["id"], approved=True)
    assert task_keys(officer, instance_id) == ["finance_check"]
    completed(officer, only_task(officer, instance_id, "finance_check")["id"], approved=True)

    assert task_keys(leader, instance_id) == ["confirm"]
    completed(leader, only_task(leader, instance_id, "confirm")["id"], approved=True)
    assert instance_state(officer, instance_id) == "COMPLETED"


# ------------------------------------------------------------------ DMN


DECISION_FILES = ("flow_decisions.bpmn", "flow_grade.dmn", "flow_rate.dmn", "flow_reviewers.dmn")


@pytest.mark.parametrize(
    ("tier", "amount", "grade", "match_rate", "reviewers"),
    [
        ("gold", 5000, "A", 0.2, ["department_leader", "agency", "department"]),
        ("gold", 500, "B", 0.1, ["agency", "department"]),
        ("silver", 50, "C", 0.0, ["department"]),
    ],
    ids=["gold-large", "gold-medium", "silver-small"],
)
def test_business_rule_tasks_apply_unique_first_and_collect_hit_policies(
    rest, tier, amount, grade, match_rate, reviewers,
):
    deployed(rest("analyst"), *DECISION_FILES)
    officer = rest("officer")
    instance_id = start(officer, "flow_decisions", tier=tier, amount=amount)

    assert task_keys(officer, instance_id) == ["confirm"]
    response = officer.get(f"/process-instance/{instance_id}/variables")
    typed_values = response.get_json()
    assert typed_values["grade"] == {"value": grade, "type": "String", "valueInfo": {}}
    assert typed_values["match_rate"]["type"] == "Double"
    assert typed_values["reviewers"]["type"] == "Json"
    values = variables(officer, instance_id)
    assert values["grade"] == grade
    assert values["match_rate"] == match_rate
    assert values["reviewers"] == reviewers


def test_business_rule_task_with_missing_input_is_refused_and_starts_nothing(rest):
    deployed(rest("analyst"), *DECISION_FILES)
    officer = rest("officer")

    response = officer.post("/process-definition/key/flow_decisions/start",
                            json={"variables": {"tier": {"value": "gold"}}})

    assert response.status_code == 400, response.get_json()
    assert set(response.get_json()) >= {"type", "message"}
    assert officer.get("/process-instance", query_string={"processDefinitionKey": "flow_decisions"}).get_json() == []


# ------------------------------------------------------------------ messages


def post_message(rest_client, name: str, business_key: str | None = None, **values):
    body = {"messageName": name, "processVariables": typed(values)}
    if business_key is not None:
        body["businessKey"] = business_key
    return rest_client.post("/message", json=body)


def test_message_catch_event_continues_only_the_instance_with_that_business_key(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    officer = rest("officer")
    first = start(officer, "flow_message_catch", business_key="XJ-2026-101", amount=300)
    second = start(officer, "flow_message_catch", business_key="XJ-2026-102", amount=300)
    assert tasks(officer, first) == [] and tasks(officer, second) == []

    response = post_message(officer, "flow_payment_received", "XJ-2026-101",
                            paid_amount=300, voucher="拨-0001")

    assert response.status_code == 204, response.get_json()
    assert task_keys(officer, first) == ["confirm_payment"]
    assert tasks(officer, second) == []
    values = variables(officer, first)
    assert values["paid_amount"] == 300 and values["voucher"] == "拨-0001"
    assert "paid_amount" not in variables(officer, second)

    again = post_message(officer, "flow_payment_received", "XJ-2026-101", paid_amount=1)
    assert again.status_code == 400
    assert again.get_json()["type"] == "MismatchingMessageCorrelationException"
    assert variables(officer, first)["paid_amount"] == 300


def test_message_without_waiting_instance_is_a_mismatching_correlation(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    officer = rest("officer")
    start(officer, "flow_message_catch", business_key="XJ-2026-103")

    for name, business_key in [("flow_unknown_message", "XJ-2026-103"),
                               ("flow_payment_received", "XJ-2026-999")]:
        response = post_message(officer, name, business_key)
        assert response.status_code == 400, response.get_json()
        body = response.get_json()
        assert body["type"] == "MismatchingMessageCorrelationException"
        assert body["message"]


def test_interrupting_boundary_message_cancels_task_and_takes_boundary_path(rest):
    deployed(rest("analyst"), "flow_message_boundary.bpmn")
    officer, cotton = rest("officer"), rest("cotton")
    instance_id = start(officer, "flow_message_boundary", business_key="XJ-2026-201")
    supplement = only_task(cotton, instance_id, "supplement")

    response = post_message(officer, "flow_withdraw", "XJ-2026-201", withdraw_reason="单位主动撤回")

    assert response.status_code == 204, response.get_json()
    assert tasks(cotton, instance_id) == []
    assert task_keys(officer, instance_id) == ["record_withdrawal"]
    history = officer.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    cancelled = [h for h in history if h["id"] == supplement["id"]]
    assert len(cancelled) == 1
    assert cancelled[0]["deleteReason"] == "deleted"
    assert cancelled[0]["endTime"] is not None
    assert variables(officer, instance_id)["withdraw_reason"] == "单位主动撤回"

    late = complete_task(cotton, supplement["id"], approved=True)
    assert late.status_code in (404, 409), late.get_json()

    completed(officer, only_task(officer, instance_id, "record_withdrawal")["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"
    activities = officer.get("/history/activity-instance",
                             query_string={"processInstanceId": instance_id}).get_json()
    ended = {a["activityId"] for a in activities if a["endTime"] is not None}
    assert {"withdrawn", "end_withdrawn"} <= ended
    assert [a["canceled"] for a in activities if a["activityId"] == "supplement"] == [True]
    assert "end_normal" not in {a["activityId"] for a in activities}


def test_boundary_message_is_not_caught_once_the_task_is_done(rest):
    deployed(rest("analyst"), "flow_message_boundary.bpmn")
    officer, cotton = rest("officer"), rest("cotton")
    instance_id = start(officer, "flow_message_boundary", business_key="XJ-2026-202")
    completed(cotton, only_task(cotton, instance_id, "supplement")["id"], approved=True)
    assert instance_state(officer, instance_id) == "COMPLETED"

    response = post_message(officer, "flow_withdraw", "XJ-2026-202")
    assert response.status_code == 400
    assert response.get_json()["type"] == "MismatchingMessageCorrelationException"


def message_subscriptions(rest_client, instance_id: str) -> list[str]:
    response = rest_client.get("/event-subscription", query_string={"processInstanceId": instance_id})
    assert response.status_code == 200, response.get_json()
    return sorted(s["activityId"] for s in response.get_json())


def test_interrupting_message_event_subprocess_ends_the_rest_of_the_process(rest):
    deployed(rest("analyst"), "flow_message_event_subprocess.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_message_event_subprocess", business_key="XJ-2026-301",
                        project_no="XJ-2026-301")
    review = only_task(officer, instance_id, "review")
    assert message_subscriptions(officer, instance_id) == ["terminate_requested"]

    response = post_message(officer, "flow_terminate_request", "XJ-2026-301", reason="单位申请终止")

    assert response.status_code == 204, response.get_json()
    assert task_keys(officer, instance_id) == ["record_termination"]
    values = variables(officer, instance_id)
    assert values["reason"] == "单位申请终止" and values["project_no"] == "XJ-2026-301"
    assert message_subscriptions(officer, instance_id) == []
    again = post_message(officer, "flow_terminate_request", "XJ-2026-301")
    assert again.get_json()["type"] == "MismatchingMessageCorrelationException"
    late = complete_task(officer, review["id"])
    assert late.status_code in (404, 409), late.get_json()

    completed(officer, only_task(officer, instance_id, "record_termination")["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"
    activities = officer.get("/history/activity-instance",
                             query_string={"processInstanceId": instance_id}).get_json()
    assert [a["canceled"] for a in activities if a["activityId"] == "review"] == [True]
    assert {"terminate_requested", "record_termination", "terminated"} <= {
        a["activityId"] for a in activities if a["endTime"] is not None}
    assert "end" not in {a["activityId"] for a in activities}


def test_non_interrupting_message_event_subprocess_runs_beside_the_process_each_time(rest):
    deployed(rest("analyst"), "flow_message_event_subprocess_non_interrupting.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_message_event_subprocess_non_interrupting",
                        business_key="XJ-2026-302")

    for n in (1, 2):
        response = post_message(officer, "flow_remind_request", "XJ-2026-302", round=n)
        assert response.status_code == 204, response.get_json()
    assert task_keys(officer, instance_id) == ["record_reminder", "record_reminder", "review"]
    assert message_subscriptions(officer, instance_id) == ["remind_requested"]

    completed(officer, only_task(officer, instance_id, "review")["id"])
    assert instance_state(officer, instance_id) == "ACTIVE"
    for task in tasks(officer, instance_id):
        completed(officer, task["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"


def test_message_event_subprocesses_of_an_embedded_subprocess_wait_only_while_it_runs(rest):
    """Camunda 7 subscribes an event subprocess in its scope: inside an embedded subprocess
    it waits while that subprocess runs; an interrupting one ends the rest of that
    subprocess only, and the process goes on after it."""
    deployed(rest("analyst"), "flow_nested_message_event_subprocess.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_nested_message_event_subprocess", business_key="XJ-2026-303")
    assert message_subscriptions(officer, instance_id) == []
    early = post_message(officer, "flow_nested_remind", "XJ-2026-303")
    assert early.get_json()["type"] == "MismatchingMessageCorrelationException"

    completed(officer, only_task(officer, instance_id, "prepare")["id"])
    assert message_subscriptions(officer, instance_id) == ["remind_requested", "withdraw_requested"]
    for n in (1, 2):
        response = post_message(officer, "flow_nested_remind", "XJ-2026-303", round=n)
        assert response.status_code == 204, response.get_json()
    assert task_keys(officer, instance_id) == ["record_reminder", "record_reminder", "review"]
    completed(officer, only_task(officer, instance_id, "review")["id"])
    assert task_keys(officer, instance_id) == ["record_reminder", "record_reminder"]

    response = post_message(officer, "flow_nested_withdraw", "XJ-2026-303", reason="补充材料")
    assert response.status_code == 204, response.get_json()
    assert task_keys(officer, instance_id) == ["record_withdrawal"]
    assert variables(officer, instance_id)["reason"] == "补充材料"
    assert message_subscriptions(officer, instance_id) == []
    completed(officer, only_task(officer, instance_id, "record_withdrawal")["id"])

    assert task_keys(officer, instance_id) == ["approve"]
    assert message_subscriptions(officer, instance_id) == []
    completed(officer, only_task(officer, instance_id, "approve")["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"
    activities = officer.get("/history/activity-instance",
                             query_string={"processInstanceId": instance_id}).get_json()
    assert sorted(a["canceled"] for a in activities if a["activityId"] == "record_reminder") == [True, True]
    assert {"withdrawn", "review_stage", "approve", "end"} <= {
        a["activityId"] for a in activities if a["endTime"] is not None}


def test_an_embedded_subprocess_ends_when_its_own_work_and_its_event_subprocesses_are_done(rest):
    """A withdrawal while the review is open cancels the review; a reminder done before the
    review lets the subprocess end with the review, and its subscriptions end with it."""
    deployed(rest("analyst"), "flow_nested_message_event_subprocess.bpmn")
    officer = rest("officer")
    withdrawn = start(officer, "flow_nested_message_event_subprocess", business_key="XJ-2026-304")
    reminded = start(officer, "flow_nested_message_event_subprocess", business_key="XJ-2026-305")
    for instance_id in (withdrawn, reminded):
        completed(officer, only_task(officer, instance_id, "prepare")["id"])

    assert post_message(officer, "flow_nested_withdraw", "XJ-2026-304").status_code == 204
    assert task_keys(officer, withdrawn) == ["record_withdrawal"]
    assert task_keys(officer, reminded) == ["review"]

    assert post_message(officer, "flow_nested_remind", "XJ-2026-305", round=1).status_code == 204
    completed(officer, only_task(officer, reminded, "record_reminder")["id"])
    assert task_keys(officer, reminded) == ["review"]
    assert message_subscriptions(officer, reminded) == ["remind_requested", "withdraw_requested"]
    completed(officer, only_task(officer, reminded, "review")["id"])
    assert task_keys(officer, reminded) == ["approve"]
    assert message_subscriptions(officer, reminded) == []
    late = post_message(officer, "flow_nested_remind", "XJ-2026-305")
    assert late.get_json()["type"] == "MismatchingMessageCorrelationException"


def test_the_holder_throws_a_bpmn_error_and_the_steps_error_boundary_event_takes_the_case_on(rest):
    """Camunda's task bpmnError: the step ends on the path drawn for that error, with the
    values sent (each a field of the step's form); an error nobody catches is refused and
    the step stays as it was."""
    deployed(rest("analyst"), "flow_user_task_error.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_user_task_error")
    task = only_task(officer, instance_id, "check_materials")

    def throw(**body):
        return officer.post(f"/task/{task['id']}/bpmnError", json=body)

    uncaught = throw(errorCode="OTHER")
    assert uncaught.status_code == 400 and uncaught.get_json()["errors"][0]["field"] == "errorCode"
    wrong = throw(errorCode="MATERIALS_INCOMPLETE", variables=typed({"comment": 5, "score": 1}))
    assert wrong.status_code == 400
    assert {e["field"] for e in wrong.get_json()["errors"]} == {"score"}
    wrong = throw(errorCode="MATERIALS_INCOMPLETE", variables=typed({"comment": 5}))
    assert {e["field"] for e in wrong.get_json()["errors"]} == {"comment"}
    assert throw(errorMessage="x").get_json()["errors"][0]["field"] == "errorCode"
    assert rest("cotton").post(f"/task/{task['id']}/bpmnError", json={"errorCode": "MATERIALS_INCOMPLETE"}
                               ).status_code == 404
    assert task_keys(officer, instance_id) == ["check_materials"]

    thrown = throw(errorCode="MATERIALS_INCOMPLETE", errorMessage="缺少审计报告",
                   variables=typed({"comment": "请补交审计报告"}))

    assert thrown.status_code == 204, thrown.get_json()
    assert task_keys(officer, instance_id) == ["notify_applicant"]
    assert variables(officer, instance_id)["comment"] == "请补交审计报告"
    history = officer.get("/history/task", query_string={"processInstanceId": instance_id,
                                                           "taskDefinitionKey": "check_materials"}).get_json()
    assert [h["endTime"] is not None for h in history] == [True]
    assert officer.post(f"/task/{task['id']}/bpmnError", json={"errorCode": "MATERIALS_INCOMPLETE"}
                        ).status_code in (404, 409)
    completed(officer, only_task(officer, instance_id, "notify_applicant")["id"])
    assert instance_state(officer, instance_id) == "COMPLETED"
    reached = {a["activityId"] for a in officer.get("/history/activity-instance",
                                                    query_string={"processInstanceId": instance_id}).get_json()}
    assert "returned" in reached and not {"approve", "end"} & reached


# ------------------------------------------------------------------ form validation


def test_completing_with_invalid_form_data_is_refused_with_chinese_field_errors(rest):
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton = rest("cotton")
    instance_id = start(cotton, "flow_form", project_no="XJ-2026-401")
    task = only_task(cotton, instance_id, "fill_application")
    before = variables(cotton, instance_id)

    response = complete_task(cotton, task["id"], projectName="", amount=-5, category="其他")

    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "FormValidationException"
    assert body["message"]
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert set(errors) == {"projectName", "amount", "category"}
    assert errors["projectName"] == "项目名称：不能为空"
    assert errors["amount"] == "申请金额（万元）：不能小于 0"
    assert errors["category"] == "项目类别：请从给定选项中选择"

    assert task_keys(cotton, instance_id) == ["fill_application"]
    assert only_task(cotton, instance_id, "fill_application")["id"] == task["id"]
    assert variables(cotton, instance_id) == before
    history = cotton.get("/history/task", query_string={"processInstanceId": instance_id}).get_json()
    assert [(h["id"], h["endTime"]) for h in history] == [(task["id"], None)]


def test_completing_without_required_fields_names_each_missing_field(rest):
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton = rest("cotton")
    instance_id = start(cotton, "flow_form")
    task = only_task(cotton, instance_id, "fill_application")

    response = complete_task(cotton, task["id"], amount="八百")

    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {
        "projectName": "项目名称：此项为必填项",
        "category": "项目类别：此项为必填项",
        "amount": "申请金额（万元）：应填写数字",
    }
    assert task_keys(cotton, instance_id) == ["fill_application"]
    assert "amount" not in variables(cotton, instance_id)


def test_valid_form_data_completes_the_task_and_becomes_process_variables(rest):
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton, officer = rest("cotton"), rest("officer")
    instance_id = start(cotton, "flow_form")

    completed(cotton, only_task(cotton, instance_id, "fill_application")["id"], **APPLICATION)

    assert task_keys(officer, instance_id) == ["department_review"]
    values = variables(officer, instance_id)
    assert {k: values[k] for k in APPLICATION} == APPLICATION


def test_camundas_form_submits_start_and_complete_with_the_same_checks(rest):
    """A client of Camunda's forms posts to submit-form: by key or by id it starts the
    process, on a task it completes it, and the step's form checks the fields either way."""
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton, officer = rest("cotton"), rest("officer")
    [definition] = cotton.get("/process-definition?key=flow_form").get_json()
    by_key = cotton.post("/process-definition/key/flow_form/submit-form",
                         json={"businessKey": "XJ-2026-501", "variables": typed({"project_no": "XJ-2026-501"})})
    by_id = cotton.post(f"/process-definition/{definition['id']}/submit-form", json={"businessKey": "XJ-2026-502"})
    assert by_key.status_code == by_id.status_code == 200, (by_key.get_json(), by_id.get_json())
    assert [r.get_json()["businessKey"] for r in (by_key, by_id)] == ["XJ-2026-501", "XJ-2026-502"]
    assert [[link["rel"] for link in r.get_json()["links"]] for r in (by_key, by_id)] == [["self"], ["self"]]
    wrong_key = cotton.post(f"/process-definition/{definition['id']}/submit-form", json={"businessKey": 7})
    assert wrong_key.status_code == 400 and wrong_key.get_json()["errors"][0]["field"] == "businessKey"
    instance_id = by_key.get_json()["id"]
    task = only_task(cotton, instance_id, "fill_application")

    refused = cotton.post(f"/task/{task['id']}/submit-form", json={"variables": typed({"amount": -5})})
    assert refused.status_code == 400 and refused.get_json()["type"] == "FormValidationException"
    assert task_keys(cotton, instance_id) == ["fill_application"]
    done = cotton.post(f"/task/{task['id']}/submit-form", json={"variables": typed(APPLICATION)})
    assert done.status_code == 204, done.get_json()
    assert task_keys(officer, instance_id) == ["department_review"]


# ------------------------------------------------------------------ authorization


def test_lead_unit_user_cannot_see_or_complete_a_department_task(rest):
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton, officer = rest("cotton"), rest("officer")
    instance_id = start(cotton, "flow_form")
    completed(cotton, only_task(cotton, instance_id, "fill_application")["id"], **APPLICATION)
    review = only_task(officer, instance_id, "department_review")

    assert tasks(cotton, instance_id) == []
    assert all(t["id"] != review["id"] for t in tasks(cotton))
    for response in (cotton.get(f"/task/{review['id']}"),
                     complete_task(cotton, review["id"], approved=True),
                     cotton.post(f"/task/{review['id']}/claim", json={})):
        assert response.status_code == 404, response.get_json()
        body = response.get_json()
        assert body["type"] == "NotFoundException"
        assert body["message"]

    assert only_task(officer, instance_id, "department_review")["assignee"] == "officer"  # the only one
    assert "approved" not in variables(officer, instance_id)


def test_other_lead_unit_cannot_act_on_a_task_of_its_own_group_claimed_by_someone_else(rest):
    deployed(rest("analyst"), "flow_form.bpmn")
    cotton, xju = rest("cotton"), rest("xju")
    instance_id = start(cotton, "flow_form")
    task = only_task(cotton, instance_id, "fill_application")
    assert cotton.post(f"/task/{task['id']}/claim", json={}).status_code == 204

    response = complete_task(xju, task["id"], **APPLICATION)

    assert response.status_code == 403, response.get_json()
    assert response.get_json()["type"] == "AuthorizationException"
    assert task_keys(cotton, instance_id) == ["fill_application"]


def test_wrong_password_is_a_json_401(client):
    response = client.get("/engine-rest/task", headers=basic("officer", "wrong"))

    assert response.status_code == 401
    assert response.is_json
    body = response.get_json()
    assert body["type"] == "AuthenticationException"
    assert body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Basic")

    missing = client.get("/engine-rest/task")
    assert missing.status_code == 401 and missing.get_json()["type"] == "AuthenticationException"


def test_errors_are_json_with_type_and_message(rest):
    officer = rest("officer")
    for response in (officer.get("/task/no-such-task"),
                     officer.get("/process-instance/no-such-instance"),
                     officer.post("/process-definition/key/no_such_process/start", json={})):
        assert response.status_code == 404, response.data
        body = response.get_json()
        assert isinstance(body, dict) and body["type"] and body["message"]

    bad_body = officer.post("/message", data="not json", content_type="application/json")
    assert bad_body.status_code == 400
    assert set(bad_body.get_json()) >= {"type", "message"}


def test_unknown_rest_endpoint_is_a_json_404(rest):
    response = rest("officer").get("/no/such/endpoint")

    assert response.status_code == 404
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and body["type"] and body["message"]


# ------------------------------------------------------------------ engine level: restore after every step
#
# The same model driven twice through app.engine.runtime: once in memory from start to end,
# once serialized and restored by a fresh WorkflowEngine (no spec cache, nothing shared)
# before every step. Both runs must see the same tasks, variables, waits and activities.


def _compiled(*names: str) -> dict:
    sources = [SourceFile(n, fixture_path(n).read_bytes()) for n in names]
    processes = compile_models(
        [s for s in sources if s.name.endswith(".bpmn")],
        [s for s in sources if s.name.endswith(".dmn")],
        set(FLOW_FORMS), {"test_flow_archive"},
    )
    return {p.key: p for p in processes}


def _snapshot(execution) -> dict:
    # Deep copies: the engine's data lists are live objects that later steps change in place.
    return copy.deepcopy({
        "user_tasks": sorted(
            (t.key, t.assignee, tuple(t.candidate_groups), t.form_key, t.process_key)
            for t in execution.user_tasks()
        ),
        "service_tasks": sorted(t.topic for t in execution.service_tasks()),
        "messages": sorted((w.activity_id, w.message_name) for w in execution.message_waits()),
        "variables": execution.variables(),
        "activities": sorted((a.activity_id, a.state) for a in execution.activities()),
        "completed": execution.completed,
    })


def _pick(execution, key: str, assignee: str | None):
    found = [t for t in execution.user_tasks()
             if t.key == key and (assignee is None or t.assignee == assignee)]
    assert len(found) == 1, (key, assignee, execution.user_tasks())
    return found[0]


def _drive(clock, process, variables: dict, steps: list[tuple], restore_every_step: bool) -> list[dict]:
    """Run `steps`; returns the snapshot before each step and after the last."""
    definition_id = f"{process.key}:1"
    execution = WorkflowEngine(clock).start(definition_id, process.spec_json, variables)
    trace = []
    for step in steps + [("end",)]:
        if restore_every_step:
            state = execution.serialize()
            execution = WorkflowEngine(clock).restore(definition_id, process.spec_json, state)
        trace.append(_snapshot(execution))
        kind = step[0]
        if kind == "complete":
            _, key, assignee, values = step
            execution.complete_user_task(_pick(execution, key, assignee).id, values)
        elif kind == "service":
            _, topic, values = step
            [task] = [t for t in execution.service_tasks() if t.topic == topic]
            execution.complete_service_task(task.id, values)
        elif kind == "message":
            _, name, values = step
            execution.deliver_message(name, values)
    return trace


ENGINE_SCENARIOS = {
    "exclusive-juel": (("flow_exclusive.bpmn",), "flow_exclusive", {"amount": 500, "category": "一般"}, [
        ("complete", "leader_approval", None, {"approved": True}),
    ]),
    "parallel-join": (("flow_parallel.bpmn",), "flow_parallel", {"project_no": "XJ-1"}, [
        ("complete", "technical_review", None, {"technical_ok": True}),
        ("complete", "finance_review", None, {"finance_ok": True, "comment": "合规"}),
        ("complete", "summary", None, {"approved": True}),
    ]),
    "multi-instance": (("flow_expert_review.bpmn",), "flow_expert_review", {"experts": EXPERTS}, [
        ("complete", "expert_review", "expert4", {"score": 90}),
        ("complete", "expert_review", "expert2", {"score": 80}),
        ("complete", "expert_review", "expert7", {"score": 85}),
        ("complete", "summary", None, {"approved": True}),
    ]),
    "call-activity": (("flow_call_parent.bpmn", "flow_call_child.bpmn"), "flow_call_parent", {"project_no": "XJ-2"}, [
        ("complete", "unit_fill", None, dict(APPLICATION)),
        ("complete", "department_check", None, {"approved": True}),
    ]),
    "embedded-and-service": (("flow_embedded.bpmn",), "flow_embedded", {"project_no": "XJ-3"}, [
        ("complete", "formal_check", None, {"approved": True}),
        ("service", "test_flow_archive", {"archive_no": "GD-XJ-3"}),
        ("complete", "confirm", None, {"approved": True}),
    ]),
    "dmn": (DECISION_FILES, "flow_decisions", {"tier": "gold", "amount": 5000}, [
        ("complete", "confirm", None, {"approved": True}),
    ]),
    "message-catch": (("flow_message_catch.bpmn",), "flow_message_catch", {"amount": 1}, [
        ("message", "flow_payment_received", {"paid_amount": 1}),
        ("complete", "confirm_payment", None, {"approved": True}),
    ]),
    "boundary-message": (("flow_message_boundary.bpmn",), "flow_message_boundary", {}, [
        ("message", "flow_withdraw", {"withdraw_reason": "撤回"}),
        ("complete", "record_withdrawal", None, {}),
    ]),
}


@pytest.mark.parametrize("scenario", sorted(ENGINE_SCENARIOS))
def test_engine_run_with_restore_after_every_step_matches_straight_run(clock, scenario):
    files, key, start_variables, steps = ENGINE_SCENARIOS[scenario]
    process = _compiled(*files)[key]

    straight = _drive(clock, process, dict(start_variables), steps, restore_every_step=False)
    restored = _drive(clock, process, dict(start_variables), steps, restore_every_step=True)

    assert restored == straight
    assert straight[-1]["completed"] is True
    assert straight[-1]["user_tasks"] == [] and straight[-1]["messages"] == []


def test_engine_parallel_join_waits_for_both_branches_across_restores(clock):
    process = _compiled("flow_parallel.bpmn")["flow_parallel"]
    steps = [
        ("complete", "finance_review", None, {"finance_ok": True}),
        ("complete", "technical_review", None, {"technical_ok": True}),
    ]

    trace = _drive(clock, process, {}, steps, restore_every_step=True)

    assert [[t[0] for t in s["user_tasks"]] for s in trace] == [
        ["finance_review", "technical_review"], ["technical_review"], ["summary"],
    ]
    assert trace[-1]["variables"]["finance_ok"] is True
    assert trace[-1]["variables"]["technical_ok"] is True


def test_engine_multi_instance_assignees_survive_restores(clock):
    process = _compiled("flow_expert_review.bpmn")["flow_expert_review"]
    steps = [("complete", "expert_review", e, {"score": 70}) for e in reversed(EXPERTS)]

    trace = _drive(clock, process, {"experts": EXPERTS}, steps, restore_every_step=True)

    assignees = [sorted(t[1] for t in s["user_tasks"] if t[0] == "expert_review") for s in trace]
    assert assignees == [EXPERTS, EXPERTS[:2], EXPERTS[:1], []]
    assert [t[0] for t in trace[-1]["user_tasks"]] == ["summary"]
    assert trace[-1]["variables"]["experts"] == EXPERTS
