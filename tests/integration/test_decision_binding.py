"""A decision table deployed on its own is a decision definition that diagrams deployed later
call (issue 15), and a business rule task evaluates the latest deployed version when it runs,
as Camunda 7's default binding `latest`: a new version of a table reaches the running
processes without deploying them again."""
from __future__ import annotations

import pytest

from tests.support.jobs import bpmn, complete, deploy_rest, deployed, form_files, only_task, start

pytestmark = pytest.mark.restored_and_cached
GRADE_TABLE = bpmn("flow_grade.dmn")
CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="grading_defs" targetNamespace="http://tic-flow/test">
  <bpmn:process id="grading" name="定档" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:userTask id="prepare" name="准备" camunda:candidateGroups="department" camunda:formKey="job_review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="decide_grade"/>
    <bpmn:businessRuleTask id="decide_grade" name="确定资助档次" camunda:decisionRef="{decision}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide_grade" targetRef="confirm"/>
    <bpmn:userTask id="confirm" name="确认" camunda:candidateGroups="department" camunda:formKey="job_review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="confirm" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def caller(decision: str = "flow_grade") -> dict[str, bytes]:
    return {**form_files(), "grading.bpmn": CALLER.replace("{decision}", decision).encode()}


def grade_table(grade_b: str) -> bytes:
    return GRADE_TABLE.replace(b'<text>"B"</text>', f'<text>"{grade_b}"</text>'.encode())


def grade_of(api, instance_id: str) -> str:
    """Take the case past its decision and read the grade the table gave."""
    prepare = only_task(api, instance_id, "prepare")
    assert complete(api, prepare["id"], {"approved": True}).status_code == 204
    only_task(api, instance_id, "confirm")
    return api.get(f"/process-instance/{instance_id}/variables").get_json()["grade"]["value"]


def test_a_diagram_deployed_after_its_table_calls_it_and_takes_each_new_version_as_it_runs(rest):
    analyst, officer = rest("analyst"), rest("officer")
    alone = deployed(analyst, {"grade.dmn": GRADE_TABLE}, "table")
    [first] = alone["deployedDecisionDefinitions"].values()
    assert (first["key"], first["version"]) == ("flow_grade", 1)
    diagram = deployed(analyst, caller(), "diagram")
    assert [d["key"] for d in diagram["deployedProcessDefinitions"].values()] == ["grading"]

    assert grade_of(officer, start(officer, "grading", {"amount": 500})["id"]) == "B"
    waiting = start(officer, "grading", {"amount": 500})["id"]

    deployed(analyst, {"grade.dmn": grade_table("B+")}, "table v2")
    assert [d["version"] for d in analyst.get("/decision-definition?key=flow_grade").get_json()] == [1, 2]
    assert grade_of(officer, waiting) == "B+", "an instance started before reaches the new version"
    assert grade_of(officer, start(officer, "grading", {"amount": 500})["id"]) == "B+"
    assert [d["version"] for d in analyst.get("/process-definition?key=grading").get_json()] == [1], (
        "the diagram was not deployed again")


def test_a_decision_deployed_nowhere_is_refused_naming_the_task_and_the_decision(rest):
    analyst = rest("analyst")
    deployed(analyst, {"grade.dmn": GRADE_TABLE}, "table")
    response = deploy_rest(analyst, caller("flow_rank"))
    assert response.status_code == 400, response.get_json()
    [error] = response.get_json()["errors"]
    assert (error["file"], error["element_id"]) == ("grading.bpmn", "decide_grade")
    assert "决策“flow_rank”未部署" in error["message"] and error["line"]
