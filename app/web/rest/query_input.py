"""Camunda's list queries as a client sends them: filters and `sortBy`/`sortOrder` in the
query string (`GET /task?assigneeIn=a,b&sortBy=created&sortOrder=desc`), or the same
filters in a JSON body (`POST /task`: lists as arrays, `sorting: [{sortBy, sortOrder}]`,
`processVariables: [{name, operator, value}]`). Each value is read as its criterion's kind
says; anything else is a 400 naming the field."""
from __future__ import annotations

import re

from flask import request

from app.clock import parse_client_datetime
from app.core.errors import BadRequest
from app.platform.query_criteria import (
    IGNORE_CASE, Criterion, Query, VariableFilter, typed_text, with_case_switches,
)
from app.platform.sql_dialects import OPERATORS

from . import params

SORT_PARAMETERS = ("sortBy", "sortOrder")
_WHOLE = re.compile(r"-?[0-9]{1,10}")


def from_args(criteria: dict[str, Criterion], sorts: dict | None = None, also: tuple[str, ...] = ()) -> Query:
    """The query of a GET list (with `sorts`, its sorting) or of its `/count` (without);
    `also`: other parameters the list reads itself."""
    extra = (*SORT_PARAMETERS, *params.PAGING, *also) if sorts is not None else ()
    params.known_only(*criteria, *extra)
    values = {name: _from_text(criteria[name].kind, name, request.args[name])
              for name in criteria if name in request.args}
    return Query(with_case_switches(_chosen(criteria, values)), sorting(sorts) if sorts is not None else ())


def from_body(criteria: dict[str, Criterion], sorts: dict, paged: bool = True, also: tuple[str, ...] = ()) -> Query:
    """The query of a POST list (`paged`: paging in the query string) or of its `/count`.
    A count takes the list's body as Camunda's does, `sorting` too (checked; a count has
    no order). `also`: query-string parameters the list reads itself."""
    params.known_only(*(params.PAGING if paged else ()), *(also if paged else ()))
    return from_json(criteria, sorts, params.json_body())


def from_json(criteria: dict[str, Criterion], sorts: dict, body: dict) -> Query:
    """A query written as JSON: a POST list's body, or a saved filter's query."""
    unknown = sorted(set(body) - {*criteria, "sorting"})
    if unknown:
        raise _refused(unknown[0], "不支持的查询字段", f"unsupported query field {unknown[0]}")
    values = {name: _from_json(criteria[name].kind, name, body[name])
              for name in criteria if name in body and body[name] is not None}
    return Query(with_case_switches(_chosen(criteria, values)), _sorting_from_body(sorts, body.get("sorting")))


def _chosen(criteria: dict[str, Criterion], values: dict) -> dict:
    """`values`, each of a criterion with choices one of them."""
    for name, value in values.items():
        choices = criteria[name].choices
        if choices and value not in choices:
            raise _refused(name, f"应为 {'、'.join(choices)} 之一", f"{name} must be one of {', '.join(choices)}")
    return values


def variable_filters(name: str) -> tuple[VariableFilter, ...]:
    """The `name_op_value,…` filters of the query string's `name` (none when absent), with
    Camunda's `variableNamesIgnoreCase` / `variableValuesIgnoreCase` applied: for a list
    read without a criteria table."""
    text = request.args.get(name)
    values = {name: _from_text("variables", name, text) if text else [],
              **{switch: params.bool_arg(switch) for switch in IGNORE_CASE}}
    return tuple(with_case_switches(values)[name])


def _from_text(kind: str, name: str, text: str):
    if kind == "list":
        return [item for item in text.split(",") if item]
    if kind == "flag":
        return params.bool_arg(name)
    if kind == "date":
        return client_date(name, text)
    if kind == "variables":
        return [_variable_from_text(name, item) for item in text.split(",") if item]
    if kind == "integer":
        return _whole(name, int(text) if _WHOLE.fullmatch(text) else None)
    return text


def _from_json(kind: str, name: str, value):
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _refused(name, "应为文本数组", f"{name} must be an array of strings")
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            raise _refused(name, "应为 true 或 false", f"{name} must be true or false")
        return value
    if kind == "variables":
        if not isinstance(value, list):
            raise _refused(name, "应为 {name, operator, value} 数组", f"{name} must be an array")
        return [_variable_from_json(name, item) for item in value]
    if kind == "integer":
        return _whole(name, value if isinstance(value, int) and not isinstance(value, bool) else None)
    if not isinstance(value, str):
        raise _refused(name, "应为文本", f"{name} must be a string")
    return client_date(name, value) if kind == "date" else value


def _whole(name: str, value: int | None) -> int:
    if value is None or not -(2**31) <= value < 2**31:
        raise _refused(name, "应为整数", f"{name} must be a whole number")
    return value


def client_date(name: str, text: str):
    """A date a client sent as `name`; a 400 naming it when it is none."""
    try:
        return parse_client_datetime(text)
    except ValueError:
        raise _refused(name, "日期格式应为 yyyy-MM-ddTHH:mm:ss.SSSZ",
                       f"{name} must be a date as yyyy-MM-ddTHH:mm:ss.SSSZ") from None


def _variable_from_text(name: str, expression: str) -> VariableFilter:
    """`varName_op_value`: the first `_op_` splits it, so names and values may hold `_`."""
    parts = expression.split("_")
    for n in range(1, len(parts) - 1):
        if parts[n] in OPERATORS:
            text = "_".join(parts[n + 1:])
            return _variable(name, "_".join(parts[:n]), parts[n], text if parts[n] == "like" else typed_text(text))
    raise _refused(name, "应为 变量名_运算符_值", f"{name} must be name_operator_value, operator one of "
                   + ", ".join(OPERATORS))


def _variable_from_json(name: str, item) -> VariableFilter:
    if not isinstance(item, dict) or set(item) - {"name", "operator", "value"}:
        raise _refused(name, "每项应为 {name, operator, value}", f"each {name} item must be {{name, operator, value}}")
    value = item.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e15:
        raise _refused(name, "数值过大", f"{name}: the value is too large")
    if not isinstance(value, (str, int, float, bool)):
        raise _refused(name, "值应为文本、数字或布尔值", f"{name}: value must be a string, number or boolean")
    if not isinstance(item.get("name"), str):
        raise _refused(name, "变量名应为文本", f"{name}: name must be a string")
    return _variable(name, item["name"], item.get("operator"), value)


def _variable(field: str, name: str, operator, value) -> VariableFilter:
    if operator not in OPERATORS:
        raise _refused(field, f"运算符应为 {'、'.join(OPERATORS)} 之一",
                       f"{field}: operator must be one of {', '.join(OPERATORS)}")
    if operator == "like" and not isinstance(value, str):
        raise _refused(field, "like 只比较文本", f"{field}: like compares strings only")
    if operator not in ("eq", "neq") and isinstance(value, bool):
        raise _refused(field, "布尔值只能比较相等", f"{field}: a boolean compares with eq or neq only")
    if not name:
        raise _refused(field, "变量名不能为空", f"{field}: name must not be empty")
    return VariableFilter(name, operator, value)


def sorting(sorts: dict) -> tuple:
    """The query string's `sortBy` and `sortOrder`: none, or one (sortBy, descending)."""
    by, order = request.args.get("sortBy"), request.args.get("sortOrder")
    if by is None and order is None:
        return ()
    return (_sort(sorts, by, order, "sortBy", "sortOrder"),)


def _sorting_from_body(sorts: dict, sorting) -> tuple:
    if sorting is None:
        return ()
    if not isinstance(sorting, list) or not all(isinstance(item, dict) for item in sorting):
        raise _refused("sorting", "应为 {sortBy, sortOrder} 数组", "sorting must be an array of {sortBy, sortOrder}")
    found = []
    for n, item in enumerate(sorting):
        unknown = sorted(set(item) - set(SORT_PARAMETERS))
        if unknown:
            raise _refused(f"sorting[{n}].{unknown[0]}", "不支持的字段", f"unsupported field {unknown[0]}")
        found.append(_sort(sorts, item.get("sortBy"), item.get("sortOrder"),
                           f"sorting[{n}].sortBy", f"sorting[{n}].sortOrder"))
    return tuple(found)


def _sort(sorts: dict, by, order, by_field: str, order_field: str) -> tuple[str, bool]:
    """(sortBy, descending); Camunda asks for both or neither."""
    if by is None or order is None:
        missing = by_field if by is None else order_field
        raise _refused(missing, "sortBy 与 sortOrder 须同时给出",
                       "Only a single sorting parameter specified. sortBy and sortOrder required")
    if not isinstance(by, str) or by not in sorts:
        raise _refused(by_field, f"不支持按 {by} 排序，应为 {'、'.join(sorts)} 之一",
                       f"sortBy {by} is not one of {', '.join(sorts)}")
    if order not in ("asc", "desc"):
        raise _refused(order_field, "应为 asc 或 desc", "sortOrder must be asc or desc")
    return by, order == "desc"


def _refused(field: str, chinese: str, english: str) -> BadRequest:
    return BadRequest(f"{field}：{chinese} / {english}", [{"field": field, "message": chinese}])
