"""Who a user task is for, as Camunda 7 reads a model: its `camunda:` attributes and BPMN's
resource assignments.

A `potentialOwner`'s `resourceAssignmentExpression/formalExpression` lists, comma-separated,
`user(id)`, `group(id)` or a bare id, which is a group; a `humanPerformer`'s is the assignee.
`camunda:assignee` wins over a humanPerformer. A role naming only a `resourceRef` (as
descriptive modellers write it) assigns nobody, as in Camunda.
"""
from __future__ import annotations

import re

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_EXPRESSION = f"{{{BPMN_NS}}}resourceAssignmentExpression/{{{BPMN_NS}}}formalExpression"
_USER, _GROUP = "user(", "group("
# A comma outside `${…}`: Camunda's list splitting keeps an expression whole.
_LIST_COMMA = re.compile(r",(?![^{]*})")


def owners(task) -> dict[str, str]:
    """The task's non-empty `candidateGroups`, `candidateUsers` and `assignee`, each as the
    comma-separated text a `camunda:` attribute holds."""
    groups, users = [_attribute(task, "candidateGroups")], [_attribute(task, "candidateUsers")]
    for expression in role_expressions(task, "potentialOwner"):
        for part in _split(expression):
            if part.startswith(_USER) and part.endswith(")"):
                users.append(part[len(_USER):-1].strip())
            elif part.startswith(_GROUP) and part.endswith(")"):
                groups.append(part[len(_GROUP):-1].strip())
            else:
                groups.append(part)
    performers = role_expressions(task, "humanPerformer")
    assignee = _attribute(task, "assignee") or (performers[0] if performers else "")
    found = {"candidateGroups": ",".join(_unique(groups)), "candidateUsers": ",".join(_unique(users)),
             "assignee": assignee}
    return {name: value for name, value in found.items() if value}


def role_expressions(task, role: str) -> list[str]:
    """The formal expressions of the task's `role` elements (empty ones left out)."""
    return [text for text in (
        (expression.text or "").strip() for expression in task.iterfind(f"{{{BPMN_NS}}}{role}/{_EXPRESSION}")
    ) if text]


def _attribute(task, name: str) -> str:
    """A `camunda:` attribute as written: an expression in it is resolved at run time."""
    return (task.get(f"{{{CAMUNDA_NS}}}{name}") or "").strip()


def _split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_COMMA.split(text) if part.strip()]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
