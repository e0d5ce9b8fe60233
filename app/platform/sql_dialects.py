"""SQL that SQLite and PostgreSQL spell differently but must answer alike: Camunda's `…Like`
patterns, a variable's value inside the JSON text an instance keeps its variables in
(`{"values": {...}, "types": {...}}`, app/platform/instance_store.py), and a duration.

Each is a construct compiled per dialect, so one Core statement serves both databases (and
`app.prepared.Prepared` compiles it once per dialect)."""
from __future__ import annotations

from sqlalchemy import Boolean, Float, Numeric, String, Text, TypeDecorator, and_, case, cast, exists, func
from sqlalchemy import literal_column, not_, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

# Camunda's variable operators; `like` compares text only.
OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")
# The JSON kinds a filter's value may have, as `variable_test` binds them.
VALUE_TYPES = {"text": String(), "number": Float(), "boolean": Boolean()}


class LikePattern(TypeDecorator):
    """A Camunda pattern (`%` any text, every other character itself), bound as the pattern
    `Like` compiles to: a GLOB on SQLite, whose LIKE ignores the case of ASCII letters where
    Camunda's and PostgreSQL's do not; a LIKE escaping `_` and `\\` elsewhere."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        parts = value.split("%")
        if dialect.name == "sqlite":
            return "*".join(_glob_literal(part) for part in parts)
        return "%".join(part.replace("\\", "\\\\").replace("_", "\\_") for part in parts)


def _glob_literal(text: str) -> str:
    return text.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")


class Like(ColumnElement):
    """`column` matches the Camunda pattern bound in `pattern` (a `LikePattern` parameter)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("pattern", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, pattern):
        self.column = column
        self.pattern = pattern


@compiles(Like)
def _like(element: Like, compiler, **kw) -> str:
    return (f"{compiler.process(element.column, **kw)} LIKE {compiler.process(element.pattern, **kw)}"
            " ESCAPE '\\'")


@compiles(Like, "sqlite")
def _like_sqlite(element: Like, compiler, **kw) -> str:
    return f"{compiler.process(element.column, **kw)} GLOB {compiler.process(element.pattern, **kw)}"


class VariableTest(ColumnElement):
    """The JSON variables in `column` hold the variable named by the parameter `name`, and its
    value passes `operator` against the parameter `value`, whose JSON kind is `kind`
    (`VALUE_TYPES`). A value of another kind passes only `neq`. Camunda's
    `variableNamesIgnoreCase` (`names_ignore_case`) and `variableValuesIgnoreCase` (text
    values, `values_ignore_case`) ignore the case of ASCII letters, alike on both databases
    (SQLite's lower() knows no other letters)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("name", InternalTraversal.dp_clauseelement),
                           ("operator", InternalTraversal.dp_string),
                           ("kind", InternalTraversal.dp_string),
                           ("value", InternalTraversal.dp_clauseelement),
                           ("names_ignore_case", InternalTraversal.dp_boolean),
                           ("values_ignore_case", InternalTraversal.dp_boolean)]

    def __init__(self, column, name, operator: str, kind: str, value,
                 names_ignore_case: bool = False, values_ignore_case: bool = False):
        self.column, self.name, self.operator, self.kind, self.value = column, name, operator, kind, value
        self.names_ignore_case, self.values_ignore_case = names_ignore_case, values_ignore_case


_COMPARE = {"eq": "__eq__", "gt": "__gt__", "gteq": "__ge__", "lt": "__lt__", "lteq": "__le__"}
_ASCII_UPPER, _ASCII_LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


def _passes(element: VariableTest, of_kind, comparable, fold):
    """The value test, given whether the stored value is of the filter's kind, the stored
    value as a comparable SQL expression, and how the dialect folds ASCII case."""
    value = element.value
    if element.values_ignore_case and element.kind == "text":
        comparable, value = fold(comparable), fold(value)
    if element.operator == "like":
        return and_(of_kind, Like(comparable, value))
    test = and_(of_kind, getattr(comparable, _COMPARE["eq" if element.operator == "neq" else element.operator])(
        value))
    return not_(test) if element.operator == "neq" else test


def _named(element: VariableTest, key, fold):
    if element.names_ignore_case:
        return fold(key) == fold(element.name)
    return key == element.name


# How json_each names the kinds of SQLite's JSON values.
_SQLITE_KINDS = {"text": ("text",), "number": ("integer", "real"), "boolean": ("true", "false")}


@compiles(VariableTest, "sqlite")
def _variable_sqlite(element: VariableTest, compiler, **kw) -> str:
    entry = (func.json_each(element.column, literal_column("'$.values'"))
             .table_valued("key", "type", "atom").alias(f"var_{element.name.key}"))
    of_kind = or_(*(entry.c.type == literal_column(f"'{kind}'") for kind in _SQLITE_KINDS[element.kind]))
    return compiler.process(exists(select(literal_column("1")).select_from(entry).where(
        _named(element, entry.c.key, func.lower), _passes(element, of_kind, entry.c.atom, func.lower))), **kw)


_POSTGRES_KINDS = {"text": "string", "number": "number", "boolean": "boolean"}


def _fold_postgres(text):
    # ASCII letters only, as SQLite's lower(): both databases answer alike.
    return func.translate(text, _ASCII_UPPER, _ASCII_LOWER)


@compiles(VariableTest, "postgresql")
def _variable_postgres(element: VariableTest, compiler, **kw) -> str:
    values = cast(element.column, JSONB).op("->", return_type=JSONB())(literal_column("'values'"))
    if not element.names_ignore_case:
        name = cast(element.name, Text)
        stored = values.op("->", return_type=JSONB())(name)
        text = values.op("->>", return_type=Text())(name)
        return compiler.process(and_(stored.is_not(None), _postgres_value(element, stored, text)), **kw)
    # Any variable whose name matches but for case: the document's entries one by one.
    entry = func.jsonb_each(values).table_valued("key", "value").alias(f"var_{element.name.key}")
    stored = cast(entry.c.value, JSONB)
    text = stored.op("#>>", return_type=Text())(literal_column("'{}'"))
    return compiler.process(exists(select(literal_column("1")).select_from(entry).where(
        _named(element, entry.c.key, _fold_postgres), _postgres_value(element, stored, text))), **kw)


def _postgres_value(element: VariableTest, stored, text):
    kind = func.jsonb_typeof(stored)
    of_kind = kind == literal_column(f"'{_POSTGRES_KINDS[element.kind]}'")
    if element.kind == "text":
        # Ordered as SQLite orders text: by its bytes, whatever the database's collation.
        comparable = text.collate("C")
    else:
        # A cast only where the kind allows it: PostgreSQL may test the conditions in any order.
        target = Numeric() if element.kind == "number" else Boolean()
        comparable = case((of_kind, cast(stored, target)))
    return _passes(element, of_kind, comparable, _fold_postgres)


class Duration(ColumnElement):
    """How long from `start` to `end` (NULL while `end` is), as a number that sorts."""

    type = Float()
    inherit_cache = True
    _traverse_internals = [("start", InternalTraversal.dp_clauseelement),
                           ("end", InternalTraversal.dp_clauseelement)]

    def __init__(self, start, end):
        self.start, self.end = start, end


@compiles(Duration)
def _duration(element: Duration, compiler, **kw) -> str:
    return compiler.process(func.extract("epoch", element.end - element.start), **kw)


@compiles(Duration, "sqlite")
def _duration_sqlite(element: Duration, compiler, **kw) -> str:
    return compiler.process(func.julianday(element.end) - func.julianday(element.start), **kw)
