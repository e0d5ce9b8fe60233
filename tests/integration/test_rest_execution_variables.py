"""An execution's local variables: the process instance's execution holds the process
variables, a user task's execution the task's local variables, each with the rights it has
under its own path; another activity's execution keeps none."""
from __future__ import annotations

import io

import pytest

from tests.support.jobs import deployed, model_files, only_task, start


@pytest.fixture
def review(rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn", "job_wait_until.bpmn"))
    return start(rest("officer"), "job_two_steps", {"applicant": "新疆大学"})["id"]


def execution_of(api, instance: str, activity: str) -> str:
    [found] = api.get(f"/execution?processInstanceId={instance}&activityId={activity}").get_json()
    return found["id"]


def test_the_instances_execution_holds_the_process_variables(rest, review):
    officer, admin = rest("officer"), rest("admin")
    path = f"/execution/{review}/localVariables"
    assert officer.get(path).get_json() == officer.get(f"/process-instance/{review}/variables").get_json()
    assert officer.get(f"{path}/applicant").get_json()["value"] == "新疆大学"
    assert officer.put(f"{path}/note", json={"value": "补正", "type": "String"}).status_code == 403
    assert admin.put(f"{path}/note", json={"value": "补正", "type": "String"}).status_code == 204
    assert admin.post(path, json={"modifications": {"round": {"value": 2, "type": "Integer"}},
                                  "deletions": ["note"]}).status_code == 204
    shown = officer.get(f"/process-instance/{review}/variables").get_json()
    assert shown["round"]["value"] == 2 and "note" not in shown
    assert admin.delete(f"{path}/round").status_code == 204
    upload = admin.post(f"{path}/scan/data", data={"data": (io.BytesIO(b"%PDF-1.4"), "scan.pdf"), "valueType": "File"},
                        content_type="multipart/form-data")
    assert upload.status_code == 204, upload.get_json()
    assert officer.get(f"{path}/scan/data").get_data() == b"%PDF-1.4"


def test_a_user_tasks_execution_holds_the_tasks_local_variables(rest, review):
    officer = rest("officer")
    task = only_task(officer, review)
    execution = execution_of(officer, review, "first_review")
    assert execution == task["id"]
    path = f"/execution/{execution}/localVariables"
    assert officer.put(f"{path}/draftNote", json={"value": "材料齐全", "type": "String"}).status_code == 204
    assert officer.get(f"/task/{task['id']}/localVariables").get_json()["draftNote"]["value"] == "材料齐全"
    assert officer.get(path).get_json()["draftNote"]["value"] == "材料齐全"
    assert "draftNote" not in officer.get(f"/process-instance/{review}/variables").get_json()
    # Who may not read the case finds no execution there, as no instance.
    assert rest("kashgar").put(f"{path}/draftNote", json={"value": "x", "type": "String"}).status_code == 404
    assert officer.get(f"{path}/draftNote/data").status_code == 404
    assert officer.delete(f"{path}/draftNote").status_code == 204
    assert officer.get(path).get_json() == {}


def test_another_activitys_execution_keeps_none_and_strangers_find_no_execution(rest, review):
    officer = rest("officer")
    waiting = start(officer, "job_wait_until")["id"]
    execution = execution_of(officer, waiting, "opening_day")
    path = f"/execution/{execution}/localVariables"
    assert officer.get(path).get_json() == {}
    assert officer.get(f"{path}/anything").status_code == 404
    refused = rest("admin").put(f"{path}/note", json={"value": "x", "type": "String"})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "executionId"
    assert officer.get("/execution/no-such-execution/localVariables").status_code == 404
    assert rest("cotton").get(f"/execution/{review}/localVariables").status_code == 404
    assert officer.get(f"/execution/{review}/localVariables?colour=red").status_code == 400
