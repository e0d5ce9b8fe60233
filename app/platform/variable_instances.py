"""Variables one by one across instances (Camunda's variable-instance and its history).

Variables live in their instance's row as one JSON document, so a variable instance is a
(instance, name) pair: its id is `<instance id>:<name>`. The instances are those `actor`
may read, the variables those `actor` may see (the confidential list applies as on every face).
"""
from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import ProcessInstance

from app.core import confidential
from app.core.authorization import instance_visibility
from app.core.errors import NotFound
from app.core.identity import Actor

from . import query_criteria as qc
from app.core.paging import Page


@dataclass(frozen=True)
class VariableFilter:
    instance_ids: tuple[str, ...] = ()
    process_key: str | None = None
    names: tuple[str, ...] = ()
    name_like: str | None = None
    running_only: bool = True
    # Camunda's `variableValues`: each a test of the variable's own name and value.
    values: tuple[qc.VariableFilter, ...] = ()


@dataclass(frozen=True)
class VariableInstance:
    instance: ProcessInstance
    name: str
    value: object
    declared: object = field(default=None)

    @property
    def id(self) -> str:
        return f"{self.instance.id}:{self.name}"


def list_variables(session: Session, actor: Actor, f: VariableFilter, page: Page) -> list[VariableInstance]:
    return page.of(_matching(session, actor, f))


def count_variables(session: Session, actor: Actor, f: VariableFilter) -> int:
    return len(_matching(session, actor, f))


def get_variable(session: Session, actor: Actor, variable_id: str, running_only: bool) -> VariableInstance:
    instance_id, _, name = variable_id.rpartition(":")
    found = _matching(session, actor, VariableFilter(instance_ids=(instance_id,), names=(name,),
                                                     running_only=running_only)) if instance_id else []
    if not found:
        raise NotFound(f"变量 {variable_id} 不存在或无权查看 / variable instance {variable_id} not found")
    return found[0]


def _matching(session: Session, actor: Actor, f: VariableFilter) -> list[VariableInstance]:
    found = []
    for instance in session.scalars(_instances(actor, f)):
        stored = json.loads(instance.variables_json)
        types = stored.get("types", {})
        for name, value in sorted(confidential.visible_values(actor, stored.get("values", {})).items()):
            if _wanted(f, name) and all(_passes(wanted, name, value) for wanted in f.values):
                found.append(VariableInstance(instance, name, value, types.get(name)))
    return found


def _instances(actor: Actor, f: VariableFilter):
    query = select(ProcessInstance).where(instance_visibility(actor))
    if f.running_only:
        query = query.where(ProcessInstance.end_time.is_(None))
    if f.instance_ids:
        query = query.where(ProcessInstance.id.in_(f.instance_ids))
    if f.process_key:
        query = query.where(ProcessInstance.process_key == f.process_key)
    if f.names:
        # A cheap first cut in the database; the exact match is made on the parsed document.
        query = query.where(or_(*(ProcessInstance.variables_json.contains(json.dumps(n)) for n in f.names)))
    return query.order_by(ProcessInstance.start_time, ProcessInstance.id)


def _wanted(f: VariableFilter, name: str) -> bool:
    if f.names and name not in f.names:
        return False
    return f.name_like is None or _like(f.name_like, name)


_COMPARE = {"eq": operator.eq, "gt": operator.gt, "gteq": operator.ge, "lt": operator.lt, "lteq": operator.le}


def _passes(wanted: qc.VariableFilter, name: str, value) -> bool:
    """The test `sql_dialects.VariableTest` makes in the database, on one parsed variable: a
    value of another kind passes only `neq`."""
    if (qc.fold_ascii(name) != qc.fold_ascii(wanted.name) if wanted.names_ignore_case else name != wanted.name):
        return False
    expected = wanted.value
    of_kind = _kind(value) == wanted.kind
    if of_kind and wanted.kind == "text" and wanted.values_ignore_case:
        value, expected = qc.fold_ascii(value), qc.fold_ascii(expected)
    if wanted.operator == "like":
        return of_kind and _like(expected, value)
    equal_or_ordered = of_kind and _COMPARE["eq" if wanted.operator == "neq" else wanted.operator](value, expected)
    return not equal_or_ordered if wanted.operator == "neq" else equal_or_ordered


def _kind(value) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "text" if isinstance(value, str) else None


def _like(pattern: str, text: str) -> bool:
    """Camunda's `…Like`: `%` for any run of characters, everything else literal."""
    parts = pattern.split("%")
    if len(parts) == 1:
        return text == pattern
    if not text.startswith(parts[0]) or not text.endswith(parts[-1]):
        return False
    position, end = len(parts[0]), len(text) - len(parts[-1])
    for part in parts[1:-1]:
        position = text.find(part, position, end)
        if position < 0:
            return False
        position += len(part)
    return position <= end
