"""The user operation log through /engine-rest, as Camunda's cockpit reads it: who deployed,
suspended, changed or deleted what, and who claimed, completed or linked which task, each
operation with the ids it concerns; what was refused is no operation. Administrators read
it and annotate its entries."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from tests.support.jobs import camunda_date, complete, deployed, model_files, only_task, start
from tests.support.tasklist import add_user

LOG = "/history/user-operation"


@pytest.fixture
def deployment(rest, ctx):
    """The two-step review, whose first step two officers may claim (so none gets it at once)."""
    add_user(ctx, "officer2", "kjt", ["department"])
    return deployed(rest("analyst"), model_files("job_two_steps.bpmn"))


def operations(api, query: str = "") -> list[dict]:
    response = api.get(f"{LOG}?sortBy=timestamp&sortOrder=asc{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def summary(entries: list[dict]) -> list[tuple]:
    return [(e["userId"], e["operationType"], e["entityType"]) for e in entries]


def test_a_deployment_and_the_work_on_a_task_are_operations_of_their_users(rest, clock, deployment):
    officer, admin = rest("officer"), rest("admin")
    # Started by the leader, the first review waits for one of the officers to claim it.
    instance = start(rest("leader"), "job_two_steps")["id"]
    task = only_task(officer, instance)
    clock.advance(timedelta(minutes=1))
    assert officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"}).status_code == 204
    clock.advance(timedelta(minutes=1))
    assert complete(officer, task["id"], {"approved": False}).status_code == 204
    created, claimed, completed = operations(admin)
    assert summary([created, claimed, completed]) == [
        ("analyst", "Create", "Deployment"), ("officer", "Claim", "Task"), ("officer", "Complete", "Task")]
    assert (created["deploymentId"], created["category"]) == (deployment["id"], "Operator")
    assert (claimed["property"], claimed["newValue"], claimed["category"]) == ("assignee", "officer", "TaskWorker")
    assert claimed["taskId"] == completed["taskId"] == task["id"]
    assert claimed["processInstanceId"] == instance and claimed["processDefinitionKey"] == "job_two_steps"
    assert claimed["processDefinitionId"] == task["processDefinitionId"]
    assert claimed["operationId"] == claimed["id"] and claimed["timestamp"] < completed["timestamp"]


def test_an_operators_suspension_change_and_deletion_name_the_instance_and_a_refusal_is_none(rest, clock, deployment):
    officer, admin = rest("officer"), rest("admin")
    instance = start(officer, "job_two_steps")["id"]
    assert officer.put(f"/process-instance/{instance}/suspended", json={"suspended": True}).status_code == 403
    for body in ({"suspended": True, "reason": "材料存疑"}, {"suspended": False}):
        clock.advance(timedelta(minutes=1))
        assert admin.put(f"/process-instance/{instance}/suspended", json=body).status_code == 204
    clock.advance(timedelta(minutes=1))
    assert admin.post(f"/process-instance/{instance}/variables", json={
        "modifications": {"note": {"value": "补正", "type": "String"}}, "reason": "补正材料"}).status_code == 204
    clock.advance(timedelta(minutes=1))
    assert admin.delete(f"/process-instance/{instance}").status_code == 204
    found = operations(admin, f"&processInstanceId={instance}")
    assert summary(found) == [("admin", "Suspend", "ProcessInstance"), ("admin", "Activate", "ProcessInstance"),
                              ("admin", "ModifyVariable", "Variable"), ("admin", "Delete", "ProcessInstance")]
    assert [e["newValue"] for e in found[:2]] == ["suspended", "active"]
    assert {e["processDefinitionKey"] for e in found} == {"job_two_steps"}
    assert admin.get(f"{LOG}/count?processInstanceId={instance}&category=Operator").get_json() == {"count": 4}
    assert admin.get(f"{LOG}/count?processDefinitionKey=job_two_steps&operationType=Suspend").get_json() == {
        "count": 1}


def test_candidate_links_name_the_user_or_the_group_linked(rest, deployment):
    officer, admin = rest("officer"), rest("admin")
    task = only_task(officer, start(rest("leader"), "job_two_steps")["id"])
    path = f"/task/{task['id']}/identity-links"
    assert officer.post(path, json={"type": "candidate", "userId": "kashgar"}).status_code == 204
    assert officer.post(f"{path}/delete", json={"type": "candidate", "groupId": "department"}).status_code == 204
    links = operations(admin, "&entityType=IdentityLink")
    assert [(e["operationType"], e["property"], e["newValue"]) for e in links] == [
        ("AddUserLink", "candidate", "kashgar"), ("DeleteGroupLink", "candidate", "department")]


def test_filters_sorting_and_counts_follow_camunda(rest, clock, deployment):
    admin = rest("admin")
    clock.advance(timedelta(hours=1))
    mark = clock.now()
    clock.advance(timedelta(hours=1))
    task = only_task(rest("officer"), start(rest("leader"), "job_two_steps")["id"])
    assert rest("officer").post(f"/task/{task['id']}/claim", json={"userId": "officer"}).status_code == 204
    newest_first = admin.get(f"{LOG}?sortBy=timestamp&sortOrder=desc").get_json()
    assert summary(newest_first) == [("officer", "Claim", "Task"), ("analyst", "Create", "Deployment")]
    after = quote(camunda_date(mark))
    assert summary(admin.get(f"{LOG}?afterTimestamp={after}").get_json()) == [("officer", "Claim", "Task")]
    assert admin.get(f"{LOG}/count?beforeTimestamp={after}").get_json() == {"count": 1}
    assert admin.get(f"{LOG}/count?entityTypeIn=Task,Deployment&userId=officer").get_json() == {"count": 1}
    assert admin.get(f"{LOG}/count?categoryIn=Admin").get_json() == {"count": 0}
    assert admin.get(f"{LOG}?maxResults=1&firstResult=1&sortBy=timestamp&sortOrder=asc").get_json()[0][
        "operationType"] == "Claim"
    for path, field in ((f"{LOG}?sortBy=userId&sortOrder=asc", "sortBy"), (f"{LOG}?executionId=x", "executionId"),
                        (f"{LOG}/count?afterTimestamp=yesterday", "afterTimestamp")):
        response = admin.get(path)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field, path


def test_only_administrators_read_it(rest, deployment):
    for user in ("officer", "manager", "analyst"):
        assert rest(user).get(LOG).status_code == 403, user
        assert rest(user).get(f"{LOG}/count").status_code == 403, user


def test_an_administrator_annotates_an_entry_and_the_annotation_is_itself_an_operation(rest, clock, deployment):
    admin = rest("admin")
    [created] = operations(admin)
    path = f"{LOG}/{created['id']}"
    clock.advance(timedelta(minutes=1))
    assert admin.put(f"{path}/set-annotation", json={"annotation": "按处务会决定部署"}).status_code == 204
    annotated, noted = operations(admin)
    assert annotated["annotation"] == "按处务会决定部署"
    assert (noted["operationType"], noted["entityType"], noted["newValue"]) == (
        "SetAnnotation", "OperationLog", created["id"])
    clock.advance(timedelta(minutes=1))
    assert admin.put(f"{path}/clear-annotation").status_code == 204
    assert operations(admin)[0]["annotation"] is None
    assert operations(admin)[-1]["operationType"] == "ClearAnnotation"
    for body, field in (({"annotation": "x" * 4001}, "annotation"), ({}, "annotation"),
                        ({"annotation": "a", "reason": "b"}, "reason")):
        response = admin.put(f"{path}/set-annotation", json=body)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field
    assert admin.put(f"{LOG}/a-999999/set-annotation", json={"annotation": "x"}).status_code == 404
    assert rest("officer").put(f"{path}/set-annotation", json={"annotation": "x"}).status_code == 403


def test_an_operation_on_several_instances_names_none_of_them_as_its_instance(rest, clock, deployment):
    admin = rest("admin")
    instances = [start(rest("officer"), "job_two_steps")["id"] for _ in range(2)]
    clock.advance(timedelta(minutes=1))
    assert admin.put("/process-instance/suspended", json={
        "suspended": True, "processInstanceIds": instances}).status_code == 204
    [suspended] = operations(admin, "&operationType=Suspend")
    assert suspended["processInstanceId"] is None and suspended["entityType"] == "ProcessInstance"
