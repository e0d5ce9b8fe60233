"""What a model file holds, named for people: its executable processes and its decisions,
read with the same hardened parser as a deployment (the modeler lists and opens them)."""
from __future__ import annotations

from dataclasses import dataclass

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
