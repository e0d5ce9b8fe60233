"""Hot-path statements to PostgreSQL sent through libpq's pipeline, under psycopg's cursors.

A psycopg cursor spends about 45 µs of Python on each statement before and after libpq
(query conversion, prepare bookkeeping, its own pipeline's queues and a poll per
statement): on a command of a dozen small statements, more CPU than the server spends
running them. Here a batch of statements (a command's queue and the statement that needs
an answer) goes in one libpq pipeline: parameters dumped and rows loaded by psycopg's own
(compiled) Transformer, so values convert exactly as through a cursor, each statement
prepared on the server at its first run on a connection and then sent by name.

psycopg is told not to prepare statements of its own (`prepare_threshold=None`, see
app/db.py): after a ROLLBACK it would deallocate every prepared statement of the
connection, ours with them.
"""
from __future__ import annotations

import select
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg import errors, pq
from psycopg.adapt import PyFormat, Transformer

# Prepared statements kept per connection: past this, new shapes run unnamed (parsed each
# time) rather than filling the server's memory with shapes seen once.
MAX_PREPARED = 200


@dataclass
class Statement:
    """SQL with `$n` placeholders and its values in that order; `check`, if any, is called
    with the rows the statement wrote once its answer is back."""
    sql: bytes
    values: Sequence[Any] = ()
    check: Callable[[int], None] | None = None


@dataclass
class _Session:
    """What a connection has prepared, and the Transformer that converts its values."""
    transformer: Transformer
    names: dict[tuple, bytes] = field(default_factory=dict)
    # Names are never reused on a connection: one whose Parse did not take may still exist.
    issued: int = 0


def run(dbapi_connection, statements: Sequence[Statement]) -> list:
    """Run `statements` in one round trip, in order; returns each one's result (a
    PGresult, with rows to `rows`). The first failure among them is raised (`_check`)."""
    pgconn = dbapi_connection.pgconn
    session = _session_of(dbapi_connection)
    pending: dict[tuple, bytes] = {}
    # Per statement: the key of a Parse sent with it (its result precedes the statement's).
    parses: list[tuple | None] = []
    pgconn.enter_pipeline_mode()
    try:
        try:
            for statement in statements:
                parses.append(_send(pgconn, session, statement, pending))
        finally:
            # Even after a value that cannot be converted: what went out is answered.
            pgconn.pipeline_sync()
            _flush(pgconn)
            results = _results(pgconn)
    finally:
        if pgconn.status == pq.ConnStatus.OK:
            pgconn.exit_pipeline_mode()
    answers = _answers(session, pending, parses, results)
    _check(dbapi_connection, statements, answers)
    return answers


def rows(dbapi_connection, result, limit: int | None = None) -> list[tuple]:
    """The rows of a result (the first `limit`), as psycopg's cursor would load them."""
    transformer = _session_of(dbapi_connection).transformer
    transformer.set_pgresult(result)
    count = result.ntuples if limit is None else min(limit, result.ntuples)
    return transformer.load_rows(0, count, tuple)


def _session_of(dbapi_connection) -> _Session:
    session = getattr(dbapi_connection, "_ticflow_pipeline", None)
    if session is None:
        session = _Session(Transformer.from_context(dbapi_connection))
        dbapi_connection._ticflow_pipeline = session
    return session


def _send(pgconn, session: _Session, statement: Statement, pending: dict) -> tuple | None:
    """Send one statement (and its Parse, at its first run on the connection); returns the
    key of a Parse sent."""
    transformer = session.transformer
    values = transformer.dump_sequence(statement.values, [PyFormat.AUTO] * len(statement.values)) \
        if statement.values else None
    types = transformer.types if statement.values else ()
    formats = transformer.formats if statement.values else None
    key = (statement.sql, types)
    name = session.names.get(key) or pending.get(key)
    parsed = None
    if name is None and len(session.names) + len(pending) < MAX_PREPARED:
        session.issued += 1
        name = pending[key] = b"ticflow_%d" % session.issued
        pgconn.send_prepare(name, statement.sql, param_types=types or None)
        parsed = key
    if name is None:
        pgconn.send_query_params(statement.sql, values, param_types=types or None, param_formats=formats)
    else:
        pgconn.send_query_prepared(name, values, param_formats=formats)
    return parsed


def _flush(pgconn) -> None:
    """Send everything, reading what the server answers meanwhile so it never blocks us."""
    while pgconn.flush():
        ready = _wait(pgconn.socket, select.POLLIN | select.POLLOUT)
        if ready & select.POLLIN:
            pgconn.consume_input()


def _results(pgconn) -> list:
    """Every result up to the pipeline's sync, in the order the statements were sent."""
    results = []
    while True:
        while pgconn.is_busy():
            _wait(pgconn.socket, select.POLLIN)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            continue  # the end of one statement's results
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


def _wait(fileno: int, events: int) -> int:
    poller = select.poll()
    poller.register(fileno, events)
    return poller.poll()[0][1]


def _answers(session: _Session, pending: dict, parses: list, results: list) -> list:
    """The statements' own results (a Parse's are taken out), after recording which Parses
    took: one in a pipeline aborted by an earlier error never ran."""
    answers = []
    position = 0
    for parsed in parses:
        if parsed is not None:
            if results[position].status == pq.ExecStatus.COMMAND_OK:
                session.names[parsed] = pending[parsed]
            position += 1
        answers.append(results[position])
        position += 1
    return answers


def _check(dbapi_connection, statements: Sequence[Statement], answers: list) -> None:
    """In the statements' order, the first failure: an error, raised as psycopg's, or a
    statement's own check (a stale version fails as such, not as the error of a write
    that came after it)."""
    for statement, result in zip(statements, answers):
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise errors.error_from_result(result, encoding=dbapi_connection.info.encoding)
        if statement.check is not None:
            statement.check(result.command_tuples or 0)
