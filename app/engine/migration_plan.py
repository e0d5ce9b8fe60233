"""Migration plans between two versions of a process (Camunda 7's semantics), from the XML.

A plan is a list of instructions, each mapping one activity of the source version to one
of the target version. `generate` proposes the instructions Camunda would: every activity
an instance can wait in that keeps its id and its kind; analysts then add or change
instructions by hand. `instruction_failures` says, per instruction, why it cannot hold:
an unknown id, another kind of activity or event, a multi-instance on one side only, a
boundary event whose activity goes elsewhere. Whether a given instance can move is the
instances' question (`migration.py`): it depends on where each one waits.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .compiler import FLOW_NODE_TAGS
from .xml_safety import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Where an instance can wait or be: the activities a plan maps, and the joins a branch can
# wait in for the others (start and end events and splitting gateways are passed through).
MIGRATABLE = frozenset({
    "userTask", "receiveTask", "serviceTask", "sendTask", "businessRuleTask", "scriptTask",
    "manualTask", "task", "callActivity", "subProcess", "transaction",
    "intermediateCatchEvent", "boundaryEvent", "parallelGateway", "inclusiveGateway",
})


@dataclass(frozen=True)
class Activity:
    id: str
    name: str | None
    kind: str
    event: str | None = None
    attached_to: str | None = None
    multi_instance: bool = False


@dataclass(frozen=True)
class Instruction:
    source: str
    target: str


def activities_of(bpmn_xml: bytes, process_id: str) -> dict[str, Activity]:
    """The flow nodes of process `process_id` (its subprocesses included), by id."""
    root = parse_xml(bpmn_xml, f"{process_id}.bpmn").getroot()
    found = {}
    for process in root.iterfind(f"{{{BPMN_NS}}}process"):
        if process.get("id") != process_id:
            continue
        for node in process.iter():
            if isinstance(node.tag, str) and etree.QName(node).localname in FLOW_NODE_TAGS:
                found[node.get("id")] = _activity(node)
    return found


def _activity(node) -> Activity:
    event = next((etree.QName(c).localname.removesuffix("EventDefinition") for c in node
                  if isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition")),
                 None)
    return Activity(
        id=node.get("id"), name=node.get("name"), kind=etree.QName(node).localname, event=event,
        attached_to=node.get("attachedToRef"),
        multi_instance=node.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics") is not None,
    )


def generate(source: dict[str, Activity], target: dict[str, Activity],
             overrides: dict[str, str] | None = None) -> list[Instruction]:
    """One instruction per activity that keeps its id and its kind (Camunda's generate),
    with the analyst's `overrides` (source id -> target id) in place of those; an override
    is kept as given, for `instruction_failures` to judge."""
    overrides = overrides or {}
    same = {i: i for i, a in source.items()
            if a.kind in MIGRATABLE and i in target and i not in overrides
            and not _mismatches(a, target[i])}
    mapping = {**same, **overrides}
    return [Instruction(s, t) for s, t in mapping.items()
            if s in overrides or _boundary_follows(Instruction(s, t), source, target, mapping)]


def instruction_failures(source: dict[str, Activity], target: dict[str, Activity],
                         instructions: list[Instruction]) -> list[list[str]]:
    """For each instruction, why it cannot hold (an empty list: it holds)."""
    mapping: dict[str, str] = {}
    reports = []
    for instruction in instructions:
        failures = _failures(instruction, source, target)
        if instruction.source in mapping:
            failures.append(f"源活动 {instruction.source} 已有另一条映射 / source activity "
                            f"{instruction.source} is mapped twice")
        mapping.setdefault(instruction.source, instruction.target)
        reports.append(failures)
    for instruction, failures in zip(instructions, reports):
        if not failures and not _boundary_follows(instruction, source, target, mapping):
            failures.append(f"边界事件 {instruction.source} 须随其所附活动迁移到 "
                            f"{target[instruction.target].attached_to} / a boundary event moves "
                            f"with the activity it is attached to")
    return reports


def _failures(instruction: Instruction, source: dict[str, Activity],
              target: dict[str, Activity]) -> list[str]:
    old, new = source.get(instruction.source), target.get(instruction.target)
    failures = []
    if old is None:
        failures.append(f"源版本中没有活动 {instruction.source} / the source version has no "
                        f"activity {instruction.source}")
    elif old.kind not in MIGRATABLE:
        failures.append(f"{instruction.source}（{old.kind}）不是可迁移的活动 / {old.kind} "
                        f"activities are not migrated")
    if new is None:
        failures.append(f"目标版本中没有活动 {instruction.target} / the target version has no "
                        f"activity {instruction.target}")
    if old is not None and new is not None:
        failures += _mismatches(old, new)
    return failures


def _mismatches(old: Activity, new: Activity) -> list[str]:
    """Why `old` cannot become `new`: Camunda maps an activity only to one of its kind."""
    if old.kind != new.kind:
        return [f"活动类型不同：{old.id} 是 {old.kind}，{new.id} 是 {new.kind} / the activities "
                f"are of different types ({old.kind}, {new.kind})"]
    if old.event != new.event:
        return [f"事件类型不同：{old.event or '无'} 与 {new.event or '无'} / the events are of "
                f"different types ({old.event}, {new.event})"]
    if old.multi_instance != new.multi_instance:
        return [f"{old.id} 与 {new.id} 一个是多实例（会签）而另一个不是 / one of the activities "
                f"is multi-instance and the other is not"]
    return []


def _boundary_follows(instruction: Instruction, source: dict[str, Activity],
                      target: dict[str, Activity], mapping: dict[str, str]) -> bool:
    """A boundary event maps to a boundary event of the activity its own activity maps to."""
    old, new = source[instruction.source], target[instruction.target]
    if old.kind != "boundaryEvent":
        return True
    return mapping.get(old.attached_to) == new.attached_to
