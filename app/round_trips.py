"""Fewer round trips to PostgreSQL: a command's BEGIN, and the writes whose outcome nothing
waits for, ride with the next statement or with the COMMIT.

Every round trip costs both processes a wake-up and the driver its bookkeeping, more than
most of the small statements of a command cost the server. So on psycopg a command's
connection runs in autocommit mode and the BEGIN is ours: it waits in the connection's
queue, with the writes a save holds back (`Prepared.send_later`; the instance row's
version-checked update among them, its check run when its answer is back, always before
the COMMIT goes), until a statement that needs its answer, or the COMMIT, takes them
along in one pipeline
(app/libpq_pipeline.py). A statement through SQLAlchemy sends the queue first; a rollback
drops it (a BEGIN never sent has nothing to roll back). An error of a queued write surfaces at the statement or
COMMIT that sent it, and fails the command as any other would.

A prepared plain read (no row lock) that comes before anything else of the command leaves
the BEGIN waiting: in READ COMMITTED it sees what it would see inside the transaction, and
a command that only read (a claim by the task's holder) then sends neither BEGIN nor COMMIT.
"""
from __future__ import annotations

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

from app import libpq_pipeline
from app.libpq_pipeline import Statement

_QUEUE = "queued_statements"
_BEGIN = Statement(b"BEGIN")
_COMMIT = Statement(b"COMMIT")


def hold_until_needed(engine: Engine) -> None:
    """Queue each transaction's BEGIN and held-back writes on `engine`'s connections."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.autocommit = True

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A connection lent in autocommit mode (VACUUM, CREATE DATABASE) opens no transaction.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.info[_QUEUE] = [_BEGIN]

    @event.listens_for(engine, "before_cursor_execute")
    def before_statement(connection, *_statement):
        send_queued(connection)

    @event.listens_for(engine, "commit")
    def on_commit(connection):
        queued = connection.info.get(_QUEUE)
        if queued == [_BEGIN]:
            queued.clear()  # nothing was sent: nothing to commit
        elif queued:
            send_queued(connection, commit=True)

    @event.listens_for(engine, "rollback")
    def on_rollback(connection):
        connection.info.pop(_QUEUE, None)

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record):
        # A unit of work ends in a commit or a rollback: a queue left would be another's.
        record.info.pop(_QUEUE, None)
        # Back from autocommit mode, SQLAlchemy has turned the driver's own BEGIN on again.
        if dbapi_connection is not None and not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True


def queue(connection: Connection) -> list | None:
    """The connection's queue, None where statements go out at once."""
    return connection.info.get(_QUEUE) if connection.dialect.driver == "psycopg" else None


def send_queued(connection: Connection, commit: bool = False) -> None:
    """Send the queue now (and the COMMIT with it), in one round trip; two when a queued
    write is checked: its check must pass before the COMMIT goes."""
    queued = connection.info.get(_QUEUE)
    if not queued:
        return
    if commit and any(statement.check for statement in queued):
        run(connection, [])
    run(connection, [_COMMIT] if commit else [])


def run(connection: Connection, statements: list[Statement], plain_read: bool = False) -> list:
    """Run `statements` after the queued ones, in one round trip; returns their results.
    A `plain_read` goes alone while the queue holds only the BEGIN. Errors are raised as
    SQLAlchemy's."""
    queued = connection.info.get(_QUEUE)
    if queued and not (plain_read and queued == [_BEGIN]):
        batch = [*queued, *statements]
        queued.clear()
    else:
        batch = statements
    dbapi_connection = connection.connection.dbapi_connection
    try:
        results = libpq_pipeline.run(dbapi_connection, batch)
    except connection.dialect.loaded_dbapi.Error as error:
        raise translated(connection, error, statements[-1].sql.decode() if statements else None) from error
    return results[len(batch) - len(statements):]


def translated(connection: Connection, error: Exception, sql: str | None) -> exc.DBAPIError:
    """The driver's error as SQLAlchemy raises it. A connection lost on the way is
    invalidated, as SQLAlchemy does for its own statements, so that the pool replaces it."""
    lost = connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        sql, None, error, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost,
        dialect=connection.dialect,
    )
