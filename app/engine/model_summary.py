"""What a model file holds, named for people: its executable processes and its decisions,
read with the same hardened parser as a deployment (the modeler lists and opens them), the
candidates of its steps and what may put jobs in the job table."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .xml_safety import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Every DMN version's namespace holds this (DMN 1.1 to 1.3 and the 2015 draft).
DMN_NS_MARK = "/DMN"


@dataclass(frozen=True)
class Named:
    id: str
    name: str | None


def executable_processes(content: bytes, file_name: str) -> list[Named]:
    """The executable processes of a BPMN file (raises InvalidDefinition if unreadable)."""
    root = parse_xml(content, file_name).getroot()
    return [Named(p.get("id") or "", p.get("name")) for p in root.iterfind(f"{{{BPMN_NS}}}process")
            if p.get("isExecutable") == "true"]


def decisions(content: bytes, file_name: str) -> list[Named]:
    """The decisions of a DMN file, whichever DMN version's namespace it uses."""
    root = parse_xml(content, file_name).getroot()
    return [Named(child.get("id") or "", child.get("name")) for child in root
            if isinstance(child.tag, str) and child.tag.endswith("}decision")]


def kind_of(content: bytes, file_name: str) -> str:
    """"dmn" for a decision file of any DMN version, else "bpmn" (raises InvalidDefinition
    if unreadable)."""
    root = parse_xml(content, file_name).getroot()
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    return "dmn" if DMN_NS_MARK in namespace.upper() else "bpmn"


CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


@dataclass(frozen=True)
class StepCandidates:
    """Who a user task of a process is for, as the diagram says before any instance runs:
    candidate groups and users and the assignee, each as written (expressions included)."""

    task_key: str
    groups: tuple[str, ...]
    users: tuple[str, ...]
    assignee: str | None


def step_candidates(content: bytes, process_key: str) -> list[StepCandidates]:
    """The user tasks of process `process_key` (its subprocesses' too) and their candidates."""
    root = parse_xml(content, f"{process_key}.bpmn").getroot()
    process = next((p for p in root.iterfind(f"{{{BPMN_NS}}}process") if p.get("id") == process_key), None)
    if process is None:
        return []
    return [StepCandidates(task.get("id") or "", _csv(task.get(f"{{{CAMUNDA_NS}}}candidateGroups")),
                           _csv(task.get(f"{{{CAMUNDA_NS}}}candidateUsers")),
                           task.get(f"{{{CAMUNDA_NS}}}assignee"))
            for task in process.iter(f"{{{BPMN_NS}}}userTask")]


def _csv(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


@dataclass(frozen=True)
class JobDefinitionInfo:
    """What may put a job of process `process_key` in the job table: a timer the engine arms
    (on a boundary, an intermediate or an event subprocess's start event) or a service task
    whose handler, failing, is retried. Its kind as the job table names it (`timer`,
    `service`), Camunda's job definition type, and its configuration as Camunda writes it."""

    activity_id: str
    kind: str
    definition_type: str
    configuration: str


# Camunda's job definition type of a timer, by the kind of event it is on.
TIMER_DEFINITION_TYPES = {"boundaryEvent": "timer-transition",
                          "intermediateCatchEvent": "timer-intermediate-transition",
                          "startEvent": "timer-start-event-subprocess"}


def job_definitions(content: bytes, process_key: str) -> list[JobDefinitionInfo]:
    """The job definitions of process `process_key` (its subprocesses' too), in diagram order.
    A timer start event of the process itself starts instances (`timer_start`): no job."""
    root = parse_xml(content, f"{process_key}.bpmn").getroot()
    process = next((p for p in root.iterfind(f"{{{BPMN_NS}}}process") if p.get("id") == process_key), None)
    if process is None:
        return []
    found = []
    for node in process.iter():
        local = etree.QName(node).localname if isinstance(node.tag, str) else ""
        timer = node.find(f"{{{BPMN_NS}}}timerEventDefinition")
        starts_process = local == "startEvent" and node.getparent() is process
        if timer is not None and local in TIMER_DEFINITION_TYPES and not starts_process:
            found.append(JobDefinitionInfo(node.get("id") or "", "timer", TIMER_DEFINITION_TYPES[local],
                                           _timer_configuration(timer)))
        elif local == "serviceTask" and node.get(f"{{{CAMUNDA_NS}}}type") != "external":
            found.append(JobDefinitionInfo(node.get("id") or "", "service", "async-continuation", "async-before"))
    return found


def _timer_configuration(timer) -> str:
    """Camunda's `DURATION: P30D`, `DATE: …` or `CYCLE: …` (empty for a timer with none)."""
    for tag, word in (("timeDuration", "DURATION"), ("timeDate", "DATE"), ("timeCycle", "CYCLE")):
        value = timer.find(f"{{{BPMN_NS}}}{tag}")
        if value is not None:
            return f"{word}: {(value.text or '').strip()}"
    return ""
