"""A decision table of bpmn/ run by the engine on its own, without a database: a process of
one business rule task calling it (after an optional script, as the real process may clear
last round's result first), started with the given variables."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.clock import Clock
from app.engine.compiler import SourceFile, compile_models
from app.engine.runtime import WorkflowEngine

ROOT = Path(__file__).resolve().parents[2]

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://tic-flow/test">
  <bpmn:process id="decide_only" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:scriptTask id="prepare" scriptFormat="python">
      <bpmn:script>{prepare}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="decide"/>
    <bpmn:businessRuleTask id="decide" camunda:decisionRef="{decision}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def decision_table(file_name: str, decision: str, prepare: str = "pass") -> Callable[..., dict]:
    """`run(**variables)` → the variables once bpmn/`file_name`'s `decision` has decided."""
    return decision_of(SourceFile(file_name, (ROOT / "bpmn" / file_name).read_bytes()), decision, prepare)


def decision_of(table: SourceFile, decision: str, prepare: str = "pass") -> Callable[..., dict]:
    """`run(**variables)` → the variables once the DMN file `table`'s `decision` has decided."""
    (compiled,) = compile_models(
        [SourceFile("decide_only.bpmn", PROCESS.format(prepare=prepare, decision=decision).encode())],
        [table], known_forms=set(), known_topics=set(),
    )
    engine = WorkflowEngine(Clock())

    def run(**variables) -> dict:
        return engine.start("decide_only:1", compiled.spec_json, variables).variables()

    return run
