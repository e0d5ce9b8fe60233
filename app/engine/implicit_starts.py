"""Subprocesses without a start event, run as BPMN 2.0 (section 10.5.2) says: every flow node
with no incoming sequence flow starts when the subprocess starts, and a subprocess with no
such node (a collapsed one whose inside is not modelled) completes at once.

SpiffWorkflow begins a subprocess only at a start event, so the diagram handed to it gets
one, with a sequence flow to each node that starts (several flows from a start event run in
parallel). The ids are made from the subprocess's own, so that a later version of the same
diagram gets the same ones and instances can be migrated between them.
"""
from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
START_SUFFIX = "__implicit_start"
END_SUFFIX = "__implicit_end"
_CONTAINERS = ("subProcess", "transaction")
# What a sequence flow can reach; boundary events start with their activity instead.
_STARTABLE = {
    "intermediateCatchEvent", "intermediateThrowEvent", "endEvent", "userTask", "serviceTask",
    "sendTask", "receiveTask", "scriptTask", "businessRuleTask", "manualTask", "task",
    "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway",
}


def implied(element_id: str) -> bool:
    """An element added here, not drawn by the analyst: history and the cockpit leave it out."""
    return element_id.endswith((START_SUFFIX, END_SUFFIX))


def lacks_start_event(container) -> bool:
    """An embedded subprocess (not one started by an event) with no start event of its own."""
    return (container.get("triggeredByEvent") != "true"
            and container.find(f"{{{BPMN_NS}}}startEvent") is None)


def add_implicit_starts(root) -> None:
    """Give every subprocess of the executable processes that lacks a start event the one
    BPMN implies (in place)."""
    for process in root.iterfind(f"{{{BPMN_NS}}}process"):
        if process.get("isExecutable") != "true":
            continue
        for local in _CONTAINERS:
            for container in process.iter(f"{{{BPMN_NS}}}{local}"):
                if lacks_start_event(container):
                    _add_start(container)


def _add_start(container) -> None:
    own_id = container.get("id")
    start_id = own_id + START_SUFFIX
    targets = _first_nodes(container)
    etree.SubElement(container, f"{{{BPMN_NS}}}startEvent", id=start_id)
    if not targets:
        etree.SubElement(container, f"{{{BPMN_NS}}}endEvent", id=own_id + END_SUFFIX)
        targets = [own_id + END_SUFFIX]
    for n, target in enumerate(targets):
        etree.SubElement(container, f"{{{BPMN_NS}}}sequenceFlow", id=f"{start_id}_{n}",
                         sourceRef=start_id, targetRef=target)


def _first_nodes(container) -> list[str]:
    reached = {flow.get("targetRef") for flow in container.iterfind(f"{{{BPMN_NS}}}sequenceFlow")}
    return [
        node.get("id") for node in container
        if isinstance(node.tag, str) and etree.QName(node).localname in _STARTABLE
        and node.get("id") and node.get("id") not in reached
        and node.get("triggeredByEvent") != "true" and node.get("isForCompensation") != "true"
    ]
