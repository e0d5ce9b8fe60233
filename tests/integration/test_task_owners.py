"""Who a user task of a model drawn elsewhere is for (issue 15): BPMN's potentialOwner and
humanPerformer as Camunda 7 reads them, and a task naming nobody, which deploys with a
warning and waits unassigned in the department's 待认领, where its staff claim or assign it;
administrators assign it but never complete it."""
from __future__ import annotations

import re

import pytest

from tests.support.clients import Api
from tests.support.jobs import complete, deployed, form_files, only_task, start
from tests.support.tasklist import add_user

ROLES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="owners_defs" targetNamespace="http://tic-flow/test">
  <bpmn:resource id="clerks" name="Clerks"/>
  <bpmn:process id="owners" name="资源分配" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nobody"/>
    <bpmn:userTask id="nobody" name="无人认领" camunda:formKey="job_review">
      <bpmn:potentialOwner id="described"><bpmn:resourceRef>clerks</bpmn:resourceRef></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="nobody" targetRef="offered"/>
    <bpmn:userTask id="offered" name="候选" camunda:formKey="job_review">
      <bpmn:potentialOwner id="owners_of_offered"><bpmn:resourceAssignmentExpression>
        <bpmn:formalExpression>user(cotton), group(department_leader)</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="offered" targetRef="performed"/>
    <bpmn:userTask id="performed" name="办理人" camunda:formKey="job_review">
      <bpmn:humanPerformer id="performer"><bpmn:resourceAssignmentExpression>
        <bpmn:formalExpression>${reviewer}</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:humanPerformer>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="performed" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def case(ctx, rest):
    """The model deployed and started by the leader; a second department officer, so that the department's
    task waits in 待认领 instead of going to its only possible taker."""
    add_user(ctx, "officer2", "kjt", ["department"])
    body = deployed(rest("analyst"), {**form_files(), "owners.bpmn": ROLES.encode()})
    [warning] = body["warnings"]
    assert (warning["element_id"], warning["severity"]) == ("nobody", "warning")
    assert "科技厅人员的待认领" in warning["message"] and "potentialOwner" in warning["message"]
    return start(rest("leader"), "owners", {"reviewer": "leader"})["id"]


def claimable(client, user: str) -> list[str]:
    response = Api(client, user).get("/inbox", query_string={"box": "claimable"})
    assert response.status_code == 200, response.get_json()
    return [row["taskKey"] for row in response.get_json()["items"]]


def test_a_task_naming_nobody_waits_unassigned_in_the_department_staffs_claimable_box(rest, client, web, case):
    task = only_task(rest("officer"), case, "nobody")
    assert task["assignee"] is None
    assert "nobody" in claimable(client, "officer") and "nobody" in claimable(client, "officer2")
    assert "nobody" not in claimable(client, "cotton")
    unassigned = rest("manager").get(f"/task?processInstanceId={case}&unassigned=true").get_json()
    assert [t["taskDefinitionKey"] for t in unassigned] == ["nobody"]
    page = web("manager").get(f"/cockpit/instances/{case}").get_data(as_text=True)
    row = re.search(r'<tr data-step="nobody">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r"<td>—</td>", row), "the cockpit shows the step held by nobody"


def test_department_staff_claim_it_or_assign_it_to_a_colleague(rest, case):
    officer = rest("officer")
    task = only_task(officer, case, "nobody")
    assert officer.post(f"/task/{task['id']}/assignee", json={"userId": "officer2"}).status_code == 204
    assert only_task(officer, case, "nobody")["assignee"] == "officer2"
    assert complete(rest("officer2"), task["id"], {"approved": True}).status_code == 204


def test_an_administrator_assigns_it_but_may_neither_claim_nor_complete_it(rest, case):
    admin = rest("admin")
    task = only_task(admin, case, "nobody")
    assert admin.post(f"/task/{task['id']}/claim", json={"userId": "admin"}).status_code == 403
    assert complete(admin, task["id"], {"approved": True}).status_code == 403
    refused = admin.post(f"/task/{task['id']}/assignee", json={"userId": "cotton"})
    assert refused.status_code == 400, "only one of its candidates may be given the task"
    assert admin.post(f"/task/{task['id']}/assignee", json={"userId": "officer"}).status_code == 204
    assert complete(admin, task["id"], {"approved": True}).status_code == 403
    assert complete(rest("officer"), task["id"], {"approved": True}).status_code == 204


def test_potential_owners_become_candidates_and_the_human_performer_the_assignee(rest, client, case):
    officer = rest("officer")
    first = only_task(officer, case, "nobody")["id"]
    assert officer.post(f"/task/{first}/claim", json={"userId": "officer"}).status_code == 204
    assert complete(officer, first, {"approved": True}).status_code == 204
    offered = only_task(rest("leader"), case, "offered")
    assert offered["assignee"] is None
    found = rest("leader").get(f"/task?processInstanceId={case}&candidateGroup=department_leader").get_json()
    assert [t["id"] for t in found] == [offered["id"]]
    found = rest("cotton").get(f"/task?processInstanceId={case}&candidateUser=cotton").get_json()
    assert [t["id"] for t in found] == [offered["id"]]
    assert "offered" not in claimable(client, "officer2"), "a task naming its owners is not the department's"
    assert complete(rest("cotton"), offered["id"], {"approved": True}).status_code == 204
    assert only_task(rest("leader"), case, "performed")["assignee"] == "leader", (
        "the humanPerformer's expression, resolved when the task starts")


def test_the_candidate_group_report_counts_unassigned_tasks_per_group_for_what_the_reader_sees(rest, case):
    """Camunda's GET /task/report/candidate-group-count: a task naming nobody waits for the
    department and counts under it; a claimed one no more."""
    officer, manager = rest("officer"), rest("manager")
    assert manager.get("/task/report/candidate-group-count").get_json() == [{"groupName": "department", "taskCount": 1}]
    first = only_task(officer, case, "nobody")["id"]
    assert officer.post(f"/task/{first}/claim", json={"userId": "officer"}).status_code == 204
    assert manager.get("/task/report/candidate-group-count").get_json() == []
    assert complete(officer, first, {"approved": True}).status_code == 204

    offered = [{"groupName": "department_leader", "taskCount": 1}]
    assert manager.get("/task/report/candidate-group-count").get_json() == offered
    assert rest("cotton").get("/task/report/candidate-group-count").get_json() == offered
    assert rest("xju").get("/task/report/candidate-group-count").get_json() == []
