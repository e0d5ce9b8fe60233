"""Variables one by one across instances (Camunda's variable-instance and its history).

Variables live in their instance's row as one JSON document, so a variable instance is a
(instance, name) pair: its id is `<instance id>:<name>`. The instances are those `actor`
may read, the variables those `actor` may see (the confidential list applies as on every face).
The filters and sorts are Camunda's, read as its criteria tables are (`query_criteria`), and
applied to each parsed variable.
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
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor

from . import query_criteria as qc
from .variables import typed
from app.core.paging import Page


class Parsed(qc.Criterion):
    """A parameter applied to each parsed variable (variables live in one JSON document per
    instance), not in SQL."""

    def __init__(self, kind: str = "text"):
        self.kind = kind

    def condition(self, key, value):
        return None


_COMMON = {
    "variableName": Parsed(), "variableNameLike": Parsed(), "variableNameIn": Parsed("list"),
    "processInstanceIdIn": Parsed("list"), "executionIdIn": Parsed("list"),
    "processDefinitionKey": Parsed(), "processDefinitionId": Parsed(),
    "variableNamesIgnoreCase": Parsed("flag"), "variableValuesIgnoreCase": Parsed("flag"),
    "tenantIdIn": Parsed("list"), "withoutTenantId": Parsed("flag"),
}
RUNNING_CRITERIA = {**_COMMON, "variableValues": Parsed("variables")}
HISTORIC_CRITERIA = {**_COMMON, "processInstanceId": Parsed(), "variableValue": Parsed(),
                     "variableTypeIn": Parsed("list")}
RUNNING_SORTS = {"variableName": lambda v: v.name, "variableType": lambda v: _type_of(v).lower(),
                 "activityInstanceId": lambda v: v.instance.id, "tenantId": lambda v: ""}
HISTORIC_SORTS = {"instanceId": lambda v: v.instance.id, "variableName": lambda v: v.name,
                  "tenantId": lambda v: ""}


@dataclass(frozen=True)
class VariableFilter:
    instance_ids: tuple[str, ...] = ()
    process_key: str | None = None
    # `variableName`: one name; `variableNameIn`: any of these.
    names: tuple[str, ...] = ()
    name_in: tuple[str, ...] | None = None
    name_like: str | None = None
    names_ignore_case: bool = False
    running_only: bool = True
    # Camunda's `variableValues` (and history's `variableName` with `variableValue`): each a
    # test of the variable's own name and value.
    values: tuple[qc.VariableFilter, ...] = ()
    types: tuple[str, ...] | None = None
    definition_id: str | None = None
    # `tenantIdIn`: nothing here belongs to a tenant, so nothing is found.
    nothing: bool = False
    sorting: tuple[tuple[str, bool], ...] = ()


def filter_of(query: qc.Query, running_only: bool) -> VariableFilter:
    """The filter a list query (`RUNNING_CRITERIA` or `HISTORIC_CRITERIA`) asks for."""
    values = query.criteria
    instance_ids = [*values.get("processInstanceIdIn", ()), *values.get("executionIdIn", ())]
    if values.get("processInstanceId"):
        instance_ids.append(values["processInstanceId"])
    names_ignore_case = bool(values.get("variableNamesIgnoreCase"))
    return VariableFilter(
        instance_ids=tuple(instance_ids), process_key=values.get("processDefinitionKey"),
        names=(values["variableName"],) if values.get("variableName") else (),
        name_in=tuple(values["variableNameIn"]) if "variableNameIn" in values else None,
        name_like=values.get("variableNameLike"), names_ignore_case=names_ignore_case,
        running_only=running_only, values=(*values.get("variableValues", ()), *_value_test(values)),
        types=tuple(t.lower() for t in values["variableTypeIn"]) if "variableTypeIn" in values else None,
        definition_id=values.get("processDefinitionId"), nothing="tenantIdIn" in values,
        sorting=query.sorting,
    )


def _value_test(values: dict) -> tuple[qc.VariableFilter, ...]:
    """History's `variableValue`: the value of the variable `variableName` names, as Camunda
    requires both."""
    if values.get("variableValue") is None:
        return ()
    if not values.get("variableName"):
        raise BadRequest("variableName：按变量值查询须同时给出变量名 / Only a single variable value parameter "
                         "specified: variable name and value are required to be able to query after a "
                         "specific variable value.", [{"field": "variableName", "message": "按变量值查询须同时给出变量名"}])
    return (qc.VariableFilter(values["variableName"], "eq", qc.typed_text(values["variableValue"]),
                              names_ignore_case=bool(values.get("variableNamesIgnoreCase")),
                              values_ignore_case=bool(values.get("variableValuesIgnoreCase"))),)


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
    found = _matching(session, actor, f)
    sorts = RUNNING_SORTS if f.running_only else HISTORIC_SORTS
    for by, descending in reversed(f.sorting):
        found.sort(key=sorts[by], reverse=descending)
    return page.of(found)


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
    if f.nothing:
        return found
    for instance in session.scalars(_instances(actor, f)):
        stored = json.loads(instance.variables_json)
        types = stored.get("types", {})
        for name, value in sorted(confidential.visible_values(actor, stored.get("values", {})).items()):
            variable = VariableInstance(instance, name, value, types.get(name))
            if _wanted(f, name) and all(_passes(wanted, name, value) for wanted in f.values) \
                    and (f.types is None or _type_of(variable).lower() in f.types):
                found.append(variable)
    return found


def _type_of(variable: VariableInstance) -> str:
    return typed(variable.value, variable.declared)["type"]


def _instances(actor: Actor, f: VariableFilter):
    query = select(ProcessInstance).where(instance_visibility(actor))
    if f.running_only:
        query = query.where(ProcessInstance.end_time.is_(None))
    if f.instance_ids:
        query = query.where(ProcessInstance.id.in_(f.instance_ids))
    if f.process_key:
        query = query.where(ProcessInstance.process_key == f.process_key)
    if f.definition_id:
        query = query.where(ProcessInstance.definition_id == f.definition_id)
    if f.names and not f.names_ignore_case:
        # A cheap first cut in the database; the exact match is made on the parsed document.
        query = query.where(or_(*(ProcessInstance.variables_json.contains(json.dumps(n)) for n in f.names)))
    return query.order_by(ProcessInstance.start_time, ProcessInstance.id)


def _wanted(f: VariableFilter, name: str) -> bool:
    same = (lambda a, b: qc.fold_ascii(a) == qc.fold_ascii(b)) if f.names_ignore_case else str.__eq__
    if f.names and not any(same(name, wanted) for wanted in f.names):
        return False
    if f.name_in is not None and not any(same(name, wanted) for wanted in f.name_in):
        return False
    if f.name_like is None:
        return True
    return _like(qc.fold_ascii(f.name_like), qc.fold_ascii(name)) if f.names_ignore_case else _like(f.name_like, name)


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
