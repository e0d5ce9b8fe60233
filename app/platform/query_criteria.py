"""The kinds of filter Camunda's REST queries offer, each turned into a SQL condition with
named parameters, and the sorting of a list.

A list's criteria are a table: Camunda's parameter name → a criterion on a column. A
query's values are typed as each criterion's `kind` says (text, a list of texts, a flag, a
date, variable tests); the web face reads them from the query string or a JSON body. Each
condition binds its values as parameters named after the criterion, so the statement's SQL
depends only on the query's `shape` (which criteria, how many values), never on the values:
a list on the hot path keeps one prepared statement per shape (`queries.list_tasks`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sqlalchemy import Integer, String, and_, bindparam, false

from app.core import confidential
from app.core.errors import BadRequest
from app.core.identity import Actor

from .sql_dialects import VALUE_TYPES, Like, LikePattern, VariableTest


@dataclass(frozen=True)
class VariableFilter:
    """Camunda's `{name, operator, value}`; `value` is text, a number or a boolean."""

    name: str
    operator: str
    value: str | int | float | bool
    names_ignore_case: bool = False
    values_ignore_case: bool = False

    @property
    def kind(self) -> str:
        if isinstance(self.value, bool):
            return "boolean"
        return "number" if isinstance(self.value, (int, float)) else "text"


@dataclass(frozen=True)
class Query:
    """A list's filters by Camunda parameter name, and its sorting: (sortBy, descending)."""

    criteria: dict = field(default_factory=dict)
    sorting: tuple[tuple[str, bool], ...] = ()


class Criterion:
    """One filter. `condition(key, value)` is its SQL condition (None: no restriction) with
    parameters named from `key`, `parameters(key, value)` their values; `shape(value)` is
    what the condition's SQL depends on besides the criterion."""

    kind = "text"
    # The values a text criterion takes, when only a few (none: any text).
    choices: tuple[str, ...] = ()

    def parameters(self, key: str, value) -> dict:
        return {key: value}

    def shape(self, value):
        return None


class Equal(Criterion):
    """The column equals the value; `within` puts the test where the column is (another
    table's rows)."""

    def __init__(self, column, within=None):
        self.column, self.within = column, within or (lambda test: test)

    def condition(self, key, value):
        return self.within(self.column == bindparam(key))


class OneOf(Criterion):
    """Camunda's `…In` (and `…NotIn`, `negated`): a list of values; `within` puts the test
    where the column is (another table's rows)."""

    kind = "list"

    def __init__(self, column, negated: bool = False, within=None):
        self.column, self.negated, self.within = column, negated, within or (lambda test: test)

    def condition(self, key, value):
        if not value:
            return None if self.negated else false()
        # One parameter per value: a prepared statement takes no expanding IN.
        test = self.within(self.column.in_([bindparam(f"{key}_{n}") for n in range(len(value))]))
        return ~test if self.negated else test

    def parameters(self, key, value):
        return {f"{key}_{n}": item for n, item in enumerate(value)}

    def shape(self, value):
        return len(value)


class Matching(Criterion):
    """Camunda's `…Like` (and `…NotLike`, `negated`): `%` stands for any text;
    case-sensitive on every database."""

    def __init__(self, column, within=None, negated: bool = False):
        self.column, self.within, self.negated = column, within or (lambda test: test), negated

    def condition(self, key, value):
        test = Like(self.column, bindparam(key, type_=LikePattern()))
        return self.within(~test if self.negated else test)


class Whole(Criterion):
    """A whole-number filter (`priority`, `minPriority`): `build` compares the parameter."""

    kind = "integer"

    def __init__(self, build):
        self.build = build

    def condition(self, key, value):
        return self.build(bindparam(key, type_=Integer()))


class Since(Criterion):
    """`…After`: the column's time is the given one or later (Camunda compares inclusively)."""

    kind = "date"

    def __init__(self, column):
        self.column = column

    def condition(self, key, value):
        return self.column >= bindparam(key, type_=self.column.type)


class Until(Since):
    """`…Before`: the column's time is the given one or earlier."""

    def condition(self, key, value):
        return self.column <= bindparam(key, type_=self.column.type)


class Flag(Criterion):
    """A condition asked for with `true`; `false` is Camunda's default: no restriction."""

    kind = "flag"

    def __init__(self, when_true):
        self.when_true = when_true

    def condition(self, key, value):
        return self.when_true if value else None

    def parameters(self, key, value):
        return {}

    def shape(self, value):
        return value


class Choice(Criterion):
    """One of a few words, each its own condition (Camunda's `incidentStatus=open|resolved`)."""

    def __init__(self, conditions: dict):
        self.conditions, self.choices = conditions, tuple(conditions)

    def condition(self, key, value):
        return self.conditions[value]

    def parameters(self, key, value):
        return {}

    def shape(self, value):
        return value


class Test(Criterion):
    """A condition built around the parameter (an EXISTS, a subquery)."""

    def __init__(self, build):
        self.build = build

    def condition(self, key, value):
        return self.build(bindparam(key))


class Constant(Criterion):
    """A filter whose answer the way we store things settles, whatever its value (None: no
    restriction)."""

    def __init__(self, condition, kind: str = "text"):
        self.fixed, self.kind = condition, kind

    def condition(self, key, value):
        return self.fixed

    def parameters(self, key, value):
        return {}


# Nothing here belongs to a tenant: `tenantIdIn` finds nothing, `withoutTenantId` (and
# `processDefinitionWithoutTenantId`) everything.
WITHOUT_TENANTS = {
    "tenantIdIn": Constant(false(), kind="list"),
    "withoutTenantId": Constant(None, kind="flag"),
}


class Variables(Criterion):
    """Camunda's variable filters over a JSON variables column (`sql_dialects`); `within`
    puts the test where the column is."""

    kind = "variables"

    def __init__(self, column, within=None):
        self.column, self.within = column, within or (lambda test: test)

    def condition(self, key, value):
        if not value:
            return None
        return self.within(and_(*(
            VariableTest(self.column, bindparam(f"{key}_{n}_name", type_=String()), wanted.operator,
                         wanted.kind, bindparam(f"{key}_{n}_value", type_=_value_type(wanted)),
                         wanted.names_ignore_case, wanted.values_ignore_case)
            for n, wanted in enumerate(value))))

    def parameters(self, key, value):
        found = {}
        for n, wanted in enumerate(value):
            found.update({f"{key}_{n}_name": wanted.name, f"{key}_{n}_value": wanted.value})
        return found

    def shape(self, value):
        return tuple((wanted.operator, wanted.kind, wanted.names_ignore_case, wanted.values_ignore_case)
                     for wanted in value)


# Camunda's switches for every variable filter of a list; `with_case_switches` applies them.
IGNORE_CASE = {
    "variableNamesIgnoreCase": Constant(None, kind="flag"),
    "variableValuesIgnoreCase": Constant(None, kind="flag"),
}


def with_case_switches(values: dict) -> dict:
    """`values` with `variableNamesIgnoreCase` / `variableValuesIgnoreCase` set on each of
    its variable filters."""
    names, texts = bool(values.get("variableNamesIgnoreCase")), bool(values.get("variableValuesIgnoreCase"))
    if not (names or texts):
        return values
    return {name: [replace(wanted, names_ignore_case=names, values_ignore_case=texts) for wanted in value]
            if _variable_filters(value) else value for name, value in values.items()}


def _variable_filters(value) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], VariableFilter)


def _value_type(wanted: VariableFilter):
    return LikePattern() if wanted.operator == "like" else VALUE_TYPES[wanted.kind]


def apply(query, criteria: dict[str, Criterion], values: dict):
    """`query` narrowed by `values` (Camunda name → value)."""
    for name, criterion in criteria.items():
        if name in values:
            condition = criterion.condition(f"f_{name}", values[name])
            if condition is not None:
                query = query.where(condition)
    return query


def parameters(criteria: dict[str, Criterion], values: dict) -> dict:
    """The parameters of `apply`'s conditions for `values`."""
    found: dict = {}
    for name, criterion in criteria.items():
        if name in values:
            found.update(criterion.parameters(f"f_{name}", values[name]))
    return found


def shape(criteria: dict[str, Criterion], values: dict) -> tuple:
    """What the SQL of `apply` depends on besides the query it narrows."""
    return tuple((name, criterion.shape(values[name])) for name, criterion in criteria.items() if name in values)


def filtered(actor: Actor, query, criteria: dict[str, Criterion], q: Query) -> tuple:
    """`query` narrowed by `q`'s criteria, and the statement's parameters."""
    require_readable_variables(actor, q.criteria)
    return apply(query, criteria, q.criteria), parameters(criteria, q.criteria)


def ordered(query, sorts: dict, q: Query, *default):
    """`query` in `q`'s sorting (each a column of `sorts`), then in `default`, whose terms
    together are unique, so pages never overlap. NULLs sort as PostgreSQL sorts them (last going up),
    on SQLite too."""
    terms = [sorts[by].desc().nulls_first() if descending else sorts[by].asc().nulls_last()
             for by, descending in q.sorting]
    return query.order_by(*terms, *default)


def require_readable_variables(actor: Actor, values: dict) -> None:
    """A filter on a confidential variable would tell its value to whoever may not read it
    (rows found or not): refused for them, as the variable is hidden from them."""
    if confidential.sees_all(actor):
        return
    for name, value in values.items():
        if _variable_filters(value):
            hidden = sorted(v for v in confidential.VARIABLES if any(_names(wanted, v) for wanted in value))
            if hidden:
                raise BadRequest(f"变量 {hidden[0]} 不可用于筛选 / variable {hidden[0]} cannot be filtered on",
                                 [{"field": name, "message": f"变量 {hidden[0]} 不可用于筛选"}])


def _names(wanted: VariableFilter, variable: str) -> bool:
    if wanted.names_ignore_case:
        return fold_ascii(wanted.name) == fold_ascii(variable)
    return wanted.name == variable


_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


def typed_text(text: str):
    """A value written as text (a query string's) as Camunda reads it: a boolean, a number,
    or text."""
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_ascii(text: str) -> str:
    """The case the variable filters ignore, as the databases fold it (`sql_dialects`)."""
    return text.translate(_ASCII_LOWER)
