"""A user task's local variables (Camunda's /task/{id}/localVariables): the task reads
them, the process never does, and they end with the task."""
from __future__ import annotations

import pytest

from tests.support.jobs import complete, only_task, variables


@pytest.fixture
def first_review(rest, two_steps):
    return only_task(rest("officer"), two_steps)["id"]


def test_local_variables_are_set_read_and_removed_with_their_types(rest, first_review):
    officer = rest("officer")
    path = f"/task/{first_review}/localVariables"
    assert officer.put(f"{path}/draftScore", json={"value": 7, "type": "Short"}).status_code == 204
    changed = officer.post(path, json={
        "modifications": {"note": {"value": "材料齐全", "type": "String"},
                          "checked": {"value": "2026-03-02T09:00:00.000+0800", "type": "Date"}},
        "deletions": ["never_set"]})
    assert changed.status_code == 204, changed.get_json()
    listed = officer.get(path).get_json()
    assert listed["draftScore"] == {"value": 7, "type": "Short", "valueInfo": {}}
    assert listed["note"]["value"] == "材料齐全" and listed["checked"]["type"] == "Date"
    assert officer.get(f"{path}/note").get_json()["value"] == "材料齐全"
    assert officer.delete(f"{path}/note").status_code == 204
    gone = officer.get(f"{path}/note")
    assert gone.status_code == 404 and "note" in gone.get_json()["message"]
    assert officer.post(path, json={"deletions": ["draftScore"]}).status_code == 204
    assert set(officer.get(path).get_json()) == {"checked"}


def test_a_local_variable_never_reaches_the_process_and_ends_with_the_task(rest, two_steps, first_review):
    officer = rest("officer")
    admin = rest("admin")
    admin.post(f"/process-instance/{two_steps}/variables", json={"modifications": {
        "comment": {"value": "流程级", "type": "String"}, "approved": {"value": True, "type": "Boolean"}}})
    officer.put(f"/task/{first_review}/localVariables/comment", json={"value": "任务级", "type": "String"})
    officer.put(f"/task/{first_review}/localVariables/approved", json={"value": False, "type": "Boolean"})
    assert officer.get(f"/task/{first_review}/variables/comment").get_json()["value"] == "任务级"
    assert variables(officer, two_steps)["comment"] == "流程级"
    assert variables(officer, two_steps)["approved"] is True
    # The gateway reads the process's `approved` (true), not the task's local false.
    assert complete(officer, first_review).status_code == 204
    assert only_task(admin, two_steps)["taskDefinitionKey"] == "final_review"
    assert variables(officer, two_steps)["comment"] == "流程级"
    assert officer.get(f"/task/{first_review}/localVariables").status_code == 404


def test_only_who_may_work_on_the_task_sets_its_local_variables(rest, first_review):
    body = {"value": 1, "type": "Integer"}
    assert rest("cotton").put(f"/task/{first_review}/localVariables/x", json=body).status_code == 404
    assert rest("leader").put(f"/task/{first_review}/localVariables/x", json=body).status_code == 403
    assert rest("officer").put(f"/task/{first_review}/localVariables/x", json=body).status_code == 204
    bad = rest("officer").put(f"/task/{first_review}/localVariables/x", json={"value": "abc", "type": "Integer"})
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "x"
    binary = rest("officer").put(f"/task/{first_review}/localVariables/f", json={"value": "AA==", "type": "Bytes"})
    assert binary.status_code == 400
