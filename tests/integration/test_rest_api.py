"""The Camunda 7 REST core, driven as the demo users (three-step benchmark model)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.support.bench_model import SHARED_BENCH, bench_files, deploy, only_task
from tests.support.clients import basic

REQUEST = {"title": {"value": "新疆棉纺创新平台", "type": "String"},
           "amount": {"value": 150, "type": "Integer"}}


@pytest.fixture
def officer(rest):
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    return rest("officer")


def start(officer, business_key="B-1", variables=None):
    response = officer.post("/process-definition/key/bench_three_step/start",
                            json={"businessKey": business_key, "variables": variables or {}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_version_answers_for_any_authenticated_user(rest):
    assert rest("cotton").get("/version").get_json()["version"].startswith("7.")


def test_missing_credentials_are_401_json_with_a_challenge(client):
    response = client.get("/engine-rest/task")
    assert response.status_code == 401
    assert response.get_json()["type"] == "AuthenticationException"
    assert "Basic" in response.headers["WWW-Authenticate"]


def test_wrong_password_is_401(client):
    response = client.get("/engine-rest/task", headers=basic("officer", "wrong"))
    assert response.status_code == 401
    assert response.get_json()["message"]


def test_deployment_returns_the_new_definition_in_camunda_shape(rest):
    body = deploy(rest("analyst"), bench_files(), "基准").get_json()
    (definition,) = body["deployedProcessDefinitions"].values()
    assert definition["key"] == "bench_three_step"
    assert definition["version"] == 1
    assert body["deploymentTime"].endswith("+0800")


def test_officer_may_not_deploy(rest):
    response = deploy(rest("officer"), bench_files())
    assert response.status_code == 403
    assert response.get_json()["type"] == "AuthorizationException"


def test_unknown_file_type_is_refused_with_a_chinese_message(rest):
    response = deploy(rest("analyst"), {"notes.txt": b"hello"})
    assert response.status_code == 400
    assert "不支持的文件类型" in response.get_json()["message"]


def test_definition_lookup_by_key_and_its_xml(officer):
    definition = officer.get("/process-definition/key/bench_three_step").get_json()
    assert definition["name"] == "基准：三步审批"
    xml = officer.get("/process-definition/key/bench_three_step/xml").get_json()
    assert xml["id"] == definition["id"]
    assert "bench_three_step" in xml["bpmn20Xml"]
    assert officer.get("/process-definition/key/nope").status_code == 404


def test_start_then_list_instances_by_key_and_business_key(officer):
    instance = start(officer, "B-42")
    found = officer.get("/process-instance?processDefinitionKey=bench_three_step&businessKey=B-42")
    assert [i["id"] for i in found.get_json()] == [instance["id"]]
    assert officer.get(f"/process-instance/{instance['id']}").get_json()["ended"] is False


def test_variables_keep_their_camunda_types(officer):
    instance = start(officer, variables={
        "title": {"value": "x", "type": "String"}, "amount": {"value": 7, "type": "Integer"},
        "ratio": {"value": 69.9, "type": "Double"}, "leadUnit": {"value": '{"debtRatio": 69.9}', "type": "Json"},
        "planDate": {"value": "2026-06-30T00:00:00.000+0800", "type": "Date"},
    })
    variables = officer.get(f"/process-instance/{instance['id']}/variables").get_json()
    assert variables["amount"] == {"value": 7, "type": "Integer", "valueInfo": {}}
    assert variables["ratio"]["type"] == "Double"
    assert variables["leadUnit"]["type"] == "Json"
    assert variables["planDate"] == {"value": "2026-06-30T00:00:00.000+0800", "type": "Date", "valueInfo": {}}


def test_a_bad_variable_type_is_a_400_with_the_field(officer):
    response = officer.post("/process-definition/key/bench_three_step/start",
                            json={"variables": {"amount": {"value": "many", "type": "Integer"}}})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "amount"


def test_whole_path_list_claim_complete_through_the_gateway(officer):
    instance = start(officer)
    first = only_task(officer, instance["id"])
    assert (first["taskDefinitionKey"], first["name"]) == ("enter_request", "填写申请")
    assert officer.post(f"/task/{first['id']}/claim", json={"userId": "officer"}).status_code == 204
    assert officer.get(f"/task/{first['id']}").get_json()["assignee"] == "officer"
    assert officer.post(f"/task/{first['id']}/complete", json={"variables": REQUEST}).status_code == 204
    second = only_task(officer, instance["id"])
    assert second["taskDefinitionKey"] == "manager_approval"
    officer.post(f"/task/{second['id']}/complete",
                 json={"variables": {"approved": {"value": True}, "comment": {"value": "同意"}}})
    third = only_task(officer, instance["id"])
    officer.post(f"/task/{third['id']}/complete", json={"variables": {"confirmed": {"value": True}}})
    history = officer.get(f"/history/process-instance?processInstanceId={instance['id']}").get_json()
    assert history[0]["state"] == "COMPLETED"
    assert officer.get("/process-instance?processDefinitionKey=bench_three_step").get_json() == []


def test_small_amount_takes_the_quick_review_branch(officer):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    officer.post(f"/task/{task['id']}/complete", json={"variables": {
        "title": {"value": "小额"}, "amount": {"value": 50, "type": "Integer"}}})
    assert only_task(officer, instance["id"])["taskDefinitionKey"] == "quick_review"


def test_invalid_form_data_is_400_with_chinese_field_errors_and_nothing_changes(officer):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    response = officer.post(f"/task/{task['id']}/complete", json={"variables": {
        "title": {"value": ""}, "amount": {"value": -1, "type": "Integer"}}})
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert "不能为空" in errors["title"]
    assert "不能小于 0" in errors["amount"]
    assert only_task(officer, instance["id"])["id"] == task["id"]
    assert officer.get(f"/process-instance/{instance['id']}/variables").get_json() == {}


def test_a_task_claimed_by_someone_else_cannot_be_claimed_again(officer, rest):
    from app.tic import demo_data

    assert demo_data
    instance = start(officer)
    task = only_task(officer, instance["id"])
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})
    response = rest("leader").post(f"/task/{task['id']}/claim", json={"userId": "leader"})
    assert response.status_code in (403, 404, 409)


def test_unclaim_returns_the_task_to_the_group(officer):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})
    assert officer.post(f"/task/{task['id']}/unclaim").status_code == 204
    assert officer.get(f"/task/{task['id']}").get_json()["assignee"] is None


def test_completed_task_completed_again_is_a_conflict(officer):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    officer.post(f"/task/{task['id']}/complete", json={"variables": REQUEST})
    response = officer.post(f"/task/{task['id']}/complete", json={"variables": REQUEST})
    assert response.status_code == 409
    assert response.get_json()["type"] == "OptimisticLockingException"


def test_a_lead_unit_cannot_see_a_department_task(officer, rest):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    cotton = rest("cotton")
    assert cotton.get(f"/task/{task['id']}").status_code == 404
    assert cotton.get(f"/task?processInstanceId={instance['id']}").get_json() == []
    assert cotton.post(f"/task/{task['id']}/complete", json={"variables": REQUEST}).status_code == 404
    assert cotton.get(f"/process-instance/{instance['id']}").status_code == 404


def test_task_filters_by_business_key_key_and_candidate_group(officer):
    start(officer, "B-1")
    start(officer, "B-2")
    by_key = officer.get("/task?processInstanceBusinessKey=B-2").get_json()
    assert len(by_key) == 1 and by_key[0]["businessKey"] == "B-2"
    assert len(officer.get("/task?taskDefinitionKey=enter_request").get_json()) == 2
    assert len(officer.get("/task?candidateGroup=department").get_json()) == 2
    assert officer.get("/task?candidateGroup=expert").get_json() == []
    # The officer started both: their own first step is theirs, and an assigned task is no
    # longer a candidate's (as in Camunda).
    assert officer.get("/task?candidateUser=officer").get_json() == []
    assert len(officer.get("/task?assignee=officer").get_json()) == 2


def test_paging_with_first_and_max_results(officer):
    for n in range(3):
        start(officer, f"B-{n}")
    page = officer.get("/task?firstResult=1&maxResults=1").get_json()
    assert len(page) == 1
    assert officer.get("/task?maxResults=lots").status_code == 400


def test_form_variables_prefill_from_the_instance(officer):
    instance = start(officer, variables={"title": {"value": "草稿标题"}})
    task = only_task(officer, instance["id"])
    form = officer.get(f"/task/{task['id']}/form-variables").get_json()
    assert form["title"]["value"] == "草稿标题"
    assert form["amount"]["type"] == "Null"


def test_a_task_gives_the_form_it_was_deployed_with_as_deployed(officer, rest):
    instance = start(officer)
    task = only_task(officer, instance["id"])

    response = officer.get(f"/task/{task['id']}/deployed-form")

    assert response.status_code == 200 and response.mimetype == "application/json"
    deployed = json.loads((SHARED_BENCH / "forms" / "request.schema.json").read_text(encoding="utf-8"))
    assert response.get_json() == deployed
    assert rest("xju").get(f"/task/{task['id']}/deployed-form").status_code == 404


def test_activity_tree_shows_the_current_user_task(officer):
    instance = start(officer)
    tree = officer.get(f"/process-instance/{instance['id']}/activity-instances").get_json()
    assert [c["activityId"] for c in tree["childActivityInstances"]] == ["enter_request"]


def test_history_records_activities_and_tasks_with_shanghai_times(officer, clock):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})
    # Activities are listed by start time; within one instant their order is the database's.
    clock.advance(timedelta(minutes=5))
    officer.post(f"/task/{task['id']}/complete", json={"variables": REQUEST})
    activities = officer.get(f"/history/activity-instance?processInstanceId={instance['id']}").get_json()
    ids = [a["activityId"] for a in activities]
    assert ids[:3] == ["start", "enter_request", "split"]
    assert activities[1]["endTime"].endswith("+0800")
    assert [(a["activityId"], a["assignee"]) for a in activities[:2]] == [("start", None), ("enter_request", "officer")]
    by_assignee = officer.get("/history/activity-instance", query_string={
        "processInstanceId": instance["id"], "taskAssignee": "officer"}).get_json()
    assert [a["id"] for a in by_assignee] == [a["id"] for a in activities if a["assignee"] == "officer"]
    tasks = officer.get(f"/history/task?processInstanceId={instance['id']}&finished=true").get_json()
    assert [(t["taskDefinitionKey"], t["assignee"], t["deleteReason"]) for t in tasks] == [
        ("enter_request", "officer", "completed")
    ]


def test_history_gives_one_activity_instance_by_its_id_to_whoever_may_read_its_instance(officer, rest):
    instance = start(officer)
    listed = officer.get(f"/history/activity-instance?processInstanceId={instance['id']}").get_json()
    waiting = next(a for a in listed if a["activityId"] == "enter_request")

    assert officer.get(f"/history/activity-instance/{waiting['id']}").get_json() == waiting
    assert officer.get("/history/activity-instance/no-such-activity").status_code == 404
    # Another unit's user may not read the instance: the activity is not there for them.
    assert rest("cotton").get(f"/history/activity-instance/{waiting['id']}").status_code == 404


def test_delete_terminates_and_keeps_history(officer):
    instance = start(officer)
    assert officer.delete(f"/process-instance/{instance['id']}").status_code == 204
    assert officer.get(f"/task?processInstanceId={instance['id']}").get_json() == []
    history = officer.get(f"/history/process-instance?processInstanceId={instance['id']}").get_json()
    assert history[0]["state"] == "EXTERNALLY_TERMINATED"
    tasks = officer.get(f"/history/task?processInstanceId={instance['id']}").get_json()
    assert tasks[0]["deleteReason"] == "deleted"


def test_non_json_body_is_a_400(officer):
    instance = start(officer)
    task = only_task(officer, instance["id"])
    response = officer.client.post(f"/engine-rest/task/{task['id']}/complete", data="not json",
                                   headers={**officer.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["type"]


def test_unknown_path_is_a_json_404(officer):
    response = officer.get("/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["type"] == "NotFoundException"
