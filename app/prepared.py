"""Hot-path statements: compiled once per dialect, run straight on the driver.

A command on the hot path (start, claim, complete) runs a dozen small statements. Going
through `Connection.execute` costs about 20 µs of Python per statement before the driver
sees it (cache-key lookup, execution context, parameter processing, result set-up): more
than SQLite spends executing it. `Prepared` keeps the Core statement as the single source
of the SQL, compiles it once per dialect and parameter shape, and applies the same bind
and result processors SQLAlchemy would (UTC datetimes, enums), so the database sees the
same values either way. Statements run on the unit of work's connection, inside its
transaction (on SQLite through a DB-API cursor, on PostgreSQL through libpq's pipeline,
app/libpq_pipeline.py); driver errors are raised as SQLAlchemy's exceptions, as `execute`
would.
"""
from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection, Dialect

from app import libpq_pipeline, round_trips
from app.libpq_pipeline import Statement

# psycopg sends each row of an executemany as a statement of its own (parsed, planned and
# run by the server one by one): the rows of an insert go as one statement of this many
# rows at most instead. The bound keeps the statements prepared per connection few.
ROWS_PER_INSERT = 16


# A bound parameter of psycopg's SQL (`%(name)s`), or an escaped percent sign.
_PYFORMAT = re.compile(r"%\(([^)]+)\)s|%%")


@dataclass(frozen=True)
class _Plan:
    # psycopg: bytes with `$n` placeholders, values in `names` order.
    sql: str | bytes
    names: tuple[str, ...]
    positional: bool
    # (position, processor) for the parameters and result columns whose type has one.
    processors: tuple[tuple[int, Callable], ...]
    constants: dict[str, Any]
    row_type: type | None
    row_processors: tuple[tuple[int, Callable], ...]
    # A select that takes no row lock (app/round_trips.py lets it go without the BEGIN).
    plain_read: bool = False

    def parameters(self, values: dict):
        merged = {**self.constants, **values} if self.constants else values
        ordered = [merged.get(name) for name in self.names]
        _process(ordered, self.processors)
        return tuple(ordered) if self.positional else dict(zip(self.names, ordered))

    def row(self, raw):
        if not self.row_processors:
            return self.row_type(*raw)
        values = list(raw)
        _process(values, self.row_processors)
        return self.row_type(*values)


def _process(values: list, processors) -> None:
    for position, process in processors:
        value = values[position]
        if value is not None:
            values[position] = process(value)


def _positions(processors) -> tuple[tuple[int, Callable], ...]:
    return tuple((n, p) for n, p in enumerate(processors) if p is not None)


class Prepared:
    """One Core statement (select, insert, update or delete without expanding IN)."""

    def __init__(self, statement):
        self.statement = statement
        self._plans: dict[tuple, _Plan] = {}

    def execute(self, conn: Connection, values: dict | None = None) -> int:
        """Run once; returns the number of rows written."""
        return self._run_once(conn, values, 0)[1]

    def execute_many(self, conn: Connection, rows: list[dict]) -> None:
        """Run for each row (an insert of many rows, a delete of several ids)."""
        if not rows:
            return
        if self._rows_together(conn.dialect, rows):
            inserts = self._inserts(conn.dialect, rows)
            _run(conn, inserts[-1][0], [parameters for _plan, parameters in inserts], 0,
                 [plan.sql for plan, _parameters in inserts])
            return
        plan = self._plan(conn.dialect, rows[0])
        _run(conn, plan, [plan.parameters(row) for row in rows], 0)

    def send_later(self, conn: Connection, rows: list[dict], check: Callable[[int], None] | None = None) -> None:
        """Like `execute_many` for writes whose outcome nothing waits for: on PostgreSQL they
        go out with the connection's next statement or its COMMIT (app/round_trips.py).
        `check` is called with the rows each wrote, before the command can commit."""
        queued = round_trips.queue(conn)
        if check is not None:
            self._send_checked(conn, rows, check, queued)
            return
        if queued is None or not rows:
            self.execute_many(conn, rows)
            return
        if self._rows_together(conn.dialect, rows):
            queued.extend(Statement(plan.sql, parameters) for plan, parameters in self._inserts(conn.dialect, rows))
            return
        plan = self._plan(conn.dialect, rows[0])
        queued.extend(Statement(plan.sql, plan.parameters(row)) for row in rows)

    def _send_checked(self, conn: Connection, rows: list[dict], check, queued: list | None) -> None:
        for row in rows:
            if queued is None:
                check(self.execute(conn, row))
            else:
                plan = self._plan(conn.dialect, row)
                queued.append(Statement(plan.sql, plan.parameters(row), check))

    def first(self, conn: Connection, values: dict | None = None):
        """The first row as a named tuple with SQLAlchemy's result types, or None."""
        plan, raw = self._run_once(conn, values, 1)
        return plan.row(raw[0]) if raw else None

    def all(self, conn: Connection, values: dict | None = None) -> list:
        """Every row, as named tuples with SQLAlchemy's result types."""
        plan, raw = self._run_once(conn, values, None)
        return [plan.row(found) for found in raw]

    def scalar(self, conn: Connection, values: dict | None = None):
        found = self.first(conn, values)
        return None if found is None else found[0]

    def _run_once(self, conn: Connection, values: dict | None, wanted: int | None):
        """(plan, rows) or, with `wanted` 0, (plan, rows written)."""
        plan = self._plan(conn.dialect, values)
        count, raw = _run(conn, plan, [plan.parameters(values or {})], wanted)
        return plan, (raw if wanted != 0 else count)

    def _rows_together(self, dialect: Dialect, rows: list[dict]) -> bool:
        """Whether `rows` go as multi-row inserts: on psycopg, rows that give the same columns."""
        from_select = getattr(self.statement, "select", None) is not None
        if not self.statement.is_insert or from_select or dialect.driver != "psycopg" or len(rows) < 2:
            return False
        columns = rows[0].keys()
        return all(row.keys() == columns for row in rows)

    def _inserts(self, dialect: Dialect, rows: list[dict]) -> list[tuple[_Plan, dict | tuple]]:
        """The multi-row inserts of `rows`, each with its parameters."""
        single = self._plan(dialect, rows[0])
        batches = []
        for start in range(0, len(rows), ROWS_PER_INSERT):
            batch = rows[start:start + ROWS_PER_INSERT]
            key = (dialect.name, tuple(rows[0]), len(batch))
            plan = self._plans.get(key)
            if plan is None:
                plan = self._plans[key] = _compile(_rows_insert(self.statement.table, single.names, len(batch)),
                                                   dialect, None)
            values = {}
            for n, row in enumerate(batch):
                merged = {**single.constants, **row}
                values.update((f"{name}_{n}", merged.get(name)) for name in single.names)
            batches.append((plan, plan.parameters(values)))
        return batches

    def _plan(self, dialect: Dialect, values: dict | None) -> _Plan:
        # Inserts compile for the columns given (as SQLAlchemy does), so the key includes them.
        key = (dialect.name, tuple(values) if self.statement.is_insert and values else None)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self.statement, dialect, key[1])
        return plan


class Deferred:
    """Writes held back and run later on one connection, in the order they were asked for."""

    def __init__(self):
        self.pending: list[tuple[Prepared, list[dict]]] = []

    def write(self, prepared: Prepared, rows: list[dict]) -> None:
        if rows:
            self.pending.append((prepared, rows))

    def run(self, conn: Connection) -> None:
        for prepared, rows in self.pending:
            prepared.send_later(conn, rows)
        self.pending.clear()


class Immediate:
    """The same `write` as `Deferred`, run at once."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def write(self, prepared: Prepared, rows: list[dict]) -> None:
        prepared.execute_many(self.conn, rows)


def writer(target: Connection | Deferred | Immediate) -> Deferred | Immediate:
    return target if isinstance(target, (Deferred, Immediate)) else Immediate(target)


def _compile(statement, dialect: Dialect, column_keys) -> _Plan:
    if statement.is_insert:
        # No RETURNING of generated keys: nothing on the hot path reads them back.
        statement = statement.inline()
    compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("Prepared statements take no expanding IN parameters")
    sql, positional = compiled.string, bool(compiled.positional)
    names = tuple(compiled.positiontup) if positional else tuple(compiled.bind_names.values())
    if dialect.driver == "psycopg":
        sql, names = _numbered(sql)
        positional = True
    binds = {name: bind for bind, name in compiled.bind_names.items()}
    processors = _positions(binds[name].type._cached_bind_processor(dialect) for name in names)
    constants = {
        name: bind.value for name, bind in binds.items()
        if not bind.required and bind.callable is None and bind.value is not None
    }
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        constants[column.key] = _python_default(column, statement.is_insert)
    row_type, row_processors = None, ()
    if compiled._result_columns:
        columns = compiled._result_columns
        row_type = namedtuple("Row", [c[0] for c in columns], rename=True)
        row_processors = _positions(c[3]._cached_result_processor(dialect, None) for c in columns)
    plain_read = statement.is_select and getattr(statement, "_for_update_arg", None) is None
    return _Plan(sql, names, positional, processors, constants, row_type, row_processors, plain_read)


def _rows_insert(table, columns: tuple[str, ...], count: int):
    """An insert of `count` rows of `columns`, the values of row n bound as `<column>_<n>`."""
    return insert(table).values([
        {column: bindparam(f"{column}_{n}", type_=table.c[column].type) for column in columns}
        for n in range(count)
    ])


def _numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """psycopg's SQL with libpq's `$n` placeholders, and the names of its parameters in
    that order (a name used twice is one parameter)."""
    names: list[str] = []

    def number(match) -> str:
        if match.group(1) is None:
            return "%"
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _PYFORMAT.sub(number, sql).encode(), tuple(names)


def _python_default(column, is_insert: bool):
    default = column.default if is_insert else column.onupdate
    if default is None or not default.is_scalar:
        raise ValueError(f"{column} needs a value: only scalar Python defaults are filled in")
    return default.arg


def _run(conn: Connection, plan: _Plan, parameter_sets: list, wanted: int | None,
         sqls: list | None = None) -> tuple[int, list]:
    """Run the statement once per parameter set (on psycopg, each with its own SQL from
    `sqls`, if given: a multi-row insert's batches), after the connection's queue; returns
    the rows written by the last and, up to `wanted` (None: all), its rows."""
    if conn.dialect.driver == "psycopg":
        statements = [Statement(sql, parameters)
                      for sql, parameters in zip(sqls or [plan.sql] * len(parameter_sets), parameter_sets)]
        result = round_trips.run(conn, statements, plan.plain_read)[-1]
        raw = libpq_pipeline.rows(conn.connection.dbapi_connection, result, wanted) if wanted != 0 else []
        return result.command_tuples or 0, raw
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if len(parameter_sets) == 1:
            cursor.execute(plan.sql, parameter_sets[0])
        else:
            cursor.executemany(plan.sql, parameter_sets)
        raw = cursor.fetchmany(wanted) if wanted else (cursor.fetchall() if wanted is None else [])
        return cursor.rowcount, raw
    except conn.dialect.loaded_dbapi.Error as error:
        raise round_trips.translated(conn, error, plan.sql) from error
    finally:
        cursor.close()
