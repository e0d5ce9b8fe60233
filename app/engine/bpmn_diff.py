"""The semantic difference of two versions of a BPMN diagram, read with lxml alone.

Elements are matched by id, as Camunda and bpmn-js-differ do: an id only in the newer
version is added, one only in the older is removed, one in both is changed when any of its
properties differ. An element's properties are its attributes (`name`,
`camunda:formKey`, `camunda:candidateGroups`, `camunda:topic`, …) and whatever it nests
that has no identity of its own, flattened to paths: `conditionExpression`,
`timerEventDefinition/timeDuration`, `extensionElements/camunda:inputOutput/…`. Elements
with an identity of their own (flow nodes, sequence flows, lanes, messages) are compared
on their own instead. The diagram interchange (BPMNDI: positions, sizes, waypoints) is not
the process: an element whose shape or edge alone changed is listed apart, as moved.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .compiler import FLOW_NODE_TAGS
from .xml_safety import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
PREFIXES = {
    BPMN_NS: "",
    "http://camunda.org/schema/1.0/bpmn": "camunda:",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi:",
}
# Nested elements that have an identity of their own: compared as elements, not as properties.
OWN_IDENTITY = FLOW_NODE_TAGS | {
    "sequenceFlow", "laneSet", "lane", "textAnnotation", "association", "dataObject",
    "dataObjectReference", "dataStoreReference", "group", "messageFlow", "participant",
    "message", "signal", "error", "escalation", "process", "collaboration",
}
# Nested elements whose content is already another element's: the flows list their ends.
DERIVED = {"incoming", "outgoing", "flowNodeRef"}
# Elements whose nested elements of their own identity belong to the same process.
CONTAINERS = {"process", "subProcess", "transaction", "laneSet", "lane", "childLaneSet",
              "collaboration"}


@dataclass(frozen=True)
class Element:
    id: str
    type: str
    name: str | None
    properties: dict[str, str]


@dataclass
class ModelDiff:
    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    # (older, newer, [(property, older value, newer value)])
    changed: list[tuple[Element, Element, list[tuple[str, str | None, str | None]]]] = field(
        default_factory=list)
    moved: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "added": [_summary(e) for e in self.added],
            "removed": [_summary(e) for e in self.removed],
            "changed": [
                dict(_summary(new), changes=[
                    {"property": name, "from": before, "to": after} for name, before, after in changes
                ])
                for _old, new, changes in self.changed
            ],
            "layoutChanged": self.moved,
        }


def diff_models(older: bytes, newer: bytes, process_id: str | None = None) -> ModelDiff:
    """What changed from `older` to `newer`; with `process_id`, only that process and the
    definitions it may refer to (messages, signals, errors) are compared."""
    old_tree, new_tree = parse_xml(older, "older.bpmn"), parse_xml(newer, "newer.bpmn")
    before, after = elements_of(old_tree, process_id), elements_of(new_tree, process_id)
    diff = ModelDiff(
        added=[after[i] for i in after if i not in before],
        removed=[before[i] for i in before if i not in after],
    )
    for element_id, old in before.items():
        new = after.get(element_id)
        changes = _changes(old, new) if new is not None else []
        if changes:
            diff.changed.append((old, new, changes))
    changed_ids = {new.id for _old, new, _c in diff.changed}
    old_layout, new_layout = layout_of(old_tree), layout_of(new_tree)
    diff.moved = sorted(
        i for i in set(old_layout) & set(new_layout) & set(before) & set(after)
        if old_layout[i] != new_layout[i] and i not in changed_ids
    )
    return diff


def elements_of(tree, process_id: str | None = None) -> dict[str, Element]:
    """Every element with an identity of its own, by id, in document order."""
    found: dict[str, Element] = {}
    for child in _semantic_children(tree.getroot()):
        local = etree.QName(child).localname
        if process_id is not None and local in ("process", "collaboration") and (
                child.get("id") != process_id):
            continue
        _collect(child, found)
    return found


def _semantic_children(node):
    return [c for c in node if isinstance(c.tag, str) and etree.QName(c).namespace == BPMN_NS]


def _collect(node, found: dict[str, Element]) -> None:
    local = etree.QName(node).localname
    if node.get("id"):
        found[node.get("id")] = Element(node.get("id"), local, node.get("name"), _properties(node))
    if local in CONTAINERS:
        for child in _semantic_children(node):
            if etree.QName(child).localname in OWN_IDENTITY:
                _collect(child, found)


def _properties(node) -> dict[str, str]:
    """The element's attributes and what it nests without an identity of its own, as paths."""
    properties = {}
    _flatten(node, "", properties)
    return properties


def _flatten(node, path: str, into: dict[str, str]) -> None:
    for name, value in node.attrib.items():
        if name != "id":
            into[f"{path}@{_qualified(name)}" if path else _qualified(name)] = value
    text = (node.text or "").strip()
    if path and text:
        into[path] = text
    seen: dict[str, int] = {}
    for child in node:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in DERIVED or (local in OWN_IDENTITY and child.get("id")):
            continue
        step = _qualified(child.tag)
        label = child.get("name") or child.get("key")
        if label:
            step += f"[{label}]"
        else:
            seen[step] = seen.get(step, 0) + 1
            step += f"[{seen[step]}]" if seen[step] > 1 else ""
        _flatten(child, f"{path}/{step}" if path else step, into)


def _qualified(name: str) -> str:
    qname = etree.QName(name)
    if qname.namespace is None:
        return qname.localname
    prefix = PREFIXES.get(qname.namespace)
    return f"{prefix}{qname.localname}" if prefix is not None else f"{{{qname.namespace}}}{qname.localname}"


def _changes(old: Element, new: Element) -> list[tuple[str, str | None, str | None]]:
    changes = [("type", old.type, new.type)] if old.type != new.type else []
    for name in sorted(set(old.properties) | set(new.properties)):
        before, after = old.properties.get(name), new.properties.get(name)
        if before != after:
            changes.append((name, before, after))
    return changes


def layout_of(tree) -> dict[str, tuple]:
    """Each diagram element's drawing: a shape's bounds, an edge's waypoints, their labels."""
    drawn = {}
    for node in tree.getroot().iter(f"{{{BPMNDI_NS}}}BPMNShape", f"{{{BPMNDI_NS}}}BPMNEdge"):
        element_id = node.get("bpmnElement")
        if element_id:
            drawn[element_id] = tuple(
                (etree.QName(part).localname, tuple(sorted(part.attrib.items())))
                for part in node.iter() if isinstance(part.tag, str) and part is not node
            )
    return drawn


def _summary(element: Element) -> dict:
    return {"id": element.id, "type": element.type, "name": element.name}
