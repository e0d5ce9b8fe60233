"""Expressions and scripts of uploaded models are bounded: refused at deploy when their
literals are too large, and a clear 400 (request) or incident (executor) at run time."""
from __future__ import annotations

from datetime import timedelta

from app.platform.jobs import execute_due_jobs
from tests.support.jobs import bpmn, complete, deploy_rest, deployed, form_files, incidents, only_task, start

CONDITION = b"${approved}"


def two_steps_with_condition(condition: str) -> dict[str, bytes]:
    xml = bpmn("job_two_steps.bpmn")
    assert CONDITION in xml
    return {**form_files(), "job_two_steps.bpmn": xml.replace(CONDITION, condition.encode())}


SCRIPT_AFTER_AN_HOUR = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="job_script_later_defs" targetNamespace="http://tic-flow/test">
  <bpmn:process id="job_script_later" name="稍后计算" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="tally"/>
    <bpmn:scriptTask id="tally" name="汇总" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="tally" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def script_later(script: str) -> dict[str, bytes]:
    return {"job_script_later.bpmn": SCRIPT_AFTER_AN_HOUR.format(script=script).encode()}


def test_the_issues_examples_are_refused_at_deploy_naming_the_element(rest):
    analyst = rest("analyst")
    for files, element_id in [
        (script_later("x = (10 ** 10 ** 7) &gt; 0"), "tally"),
        (two_steps_with_condition("${len('a' * 100000000) > 0}"), "f_approved"),
    ]:
        response = deploy_rest(analyst, files)
        assert response.status_code == 400, response.get_json()
        [error] = response.get_json()["errors"]
        assert error["element_id"] == element_id and error["line"]
        assert "计算结果过大" in error["message"]
    assert analyst.get("/process-definition").get_json() == []


def test_a_condition_growing_past_the_limit_is_a_400_naming_the_gateway(rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, two_steps_with_condition("${len(code * copies) > 0}"))
    instance_id = start(officer, "job_two_steps", {"code": "a", "copies": 100_000_000})["id"]
    task = only_task(officer, instance_id, "first_review")
    response = complete(officer, task["id"], {"approved": True})
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["message"]
    assert "计算结果过大" in message and "decide" in message
    assert only_task(officer, instance_id, "first_review")["id"] == task["id"]


def test_a_script_growing_past_the_limit_in_the_executor_raises_an_incident(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, script_later("n = len(code * copies)"))
    instance_id = start(officer, "job_script_later", {"code": "a", "copies": 100_000_000})["id"]
    clock.advance(timedelta(hours=2))
    for _ in range(3):
        assert execute_due_jobs(ctx) == 1
        clock.advance(timedelta(hours=1))
    [incident] = incidents(officer, instance_id)
    assert "计算结果过大" in incident["incidentMessage"] and "tally" in incident["incidentMessage"]
