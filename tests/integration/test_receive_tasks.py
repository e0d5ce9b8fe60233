"""A receive task waits for its message as a message catch event does (issue 15: the MIWG
model C.9.1 waits for a document this way), and a receive task without a message, which
nothing could ever trigger here, is refused naming it."""
from __future__ import annotations

import pytest

from tests.support.jobs import deploy_rest, deployed, form_files, start, task_keys

pytestmark = pytest.mark.restored_and_cached

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="receiving_defs" targetNamespace="http://tic-flow/test">
  <bpmn:message id="document" name="document_received"/>
  <bpmn:process id="receiving" name="等待材料" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_document"/>
    <bpmn:receiveTask id="wait_document" name="等待材料" {message}/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_document" targetRef="check"/>
    <bpmn:userTask id="check" name="核对材料" camunda:candidateGroups="department" camunda:formKey="job_review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def model(message: str = 'messageRef="document"') -> dict[str, bytes]:
    return {**form_files(), "receiving.bpmn": MODEL.replace("{message}", message).encode()}


def test_a_receive_task_waits_for_its_message_and_only_its_instance_goes_on(rest):
    deployed(rest("analyst"), model())
    officer = rest("officer")
    first = start(officer, "receiving", business_key="DOC-1")["id"]
    second = start(officer, "receiving", business_key="DOC-2")["id"]
    assert task_keys(officer, first) == [] and task_keys(officer, second) == []

    response = officer.post("/message", json={"messageName": "document_received", "businessKey": "DOC-1",
                                              "processVariables": {"pages": {"value": 12}}})
    assert response.status_code == 204, response.get_json()
    assert task_keys(officer, first) == ["check"] and task_keys(officer, second) == []
    assert officer.get(f"/process-instance/{first}/variables").get_json()["pages"]["value"] == 12


def test_a_receive_task_without_a_message_is_refused_naming_it(rest):
    response = deploy_rest(rest("analyst"), model(message=""))
    assert response.status_code == 400, response.get_json()
    [error] = response.get_json()["errors"]
    assert (error["element_id"], error["file"]) == ("wait_document", "receiving.bpmn")
    assert "receiveTask" in error["message"] and error["line"]
