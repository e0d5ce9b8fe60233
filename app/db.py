"""Database engine, sessions and the unit of work that wraps every command."""
from __future__ import annotations

import select
from contextlib import contextmanager
from collections.abc import Iterator

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from app import round_trips

# Connections each pool keeps, and how many more it opens at a peak, when not told.
DEFAULT_POOL_SIZE = 2
DEFAULT_MAX_OVERFLOW = 2


def make_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE, max_overflow: int = DEFAULT_MAX_OVERFLOW,
                read_only: bool = False, synchronous_commit: bool = True) -> Engine:
    """The engine of `url`; on PostgreSQL `read_only` gives one whose connections run each
    statement on its own (autocommit), refusing any write, and `synchronous_commit` False
    one whose commits return before their WAL reaches the disk."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _tune_sqlite(engine)
        return engine
    # psycopg prepares nothing of its own: the hot path's statements are prepared by
    # app/libpq_pipeline.py, whose prepared statements psycopg's DEALLOCATE ALL after a
    # rollback would drop.
    settings = [*(["default_transaction_read_only=on"] if read_only else []),
                *([] if synchronous_commit else ["synchronous_commit=off"])]
    connect_args = {"prepare_threshold": None, **_server_options(url, settings)}
    extra = {"isolation_level": "AUTOCOMMIT"} if read_only else {}
    # No pre-ping: it cost a round trip per unit of work; a connection the server closed is
    # found without one at checkout. LIFO keeps the fewest connections busy, each with its
    # prepared statements at hand.
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_use_lifo=True,
                           connect_args=connect_args, **extra)
    _skip_dead_connections(engine)
    return engine


def _server_options(url: str, settings: list[str]) -> dict:
    """The URL's own server options (a test's search_path) plus `settings` (name=value)."""
    options = " ".join(filter(None, [make_url(url).query.get("options"), *(f"-c {s}" for s in settings)]))
    return {"options": options} if options else {}


def _skip_dead_connections(engine: Engine) -> None:
    """A restarted server (or a terminated backend) leaves dead connections in the pool,
    and the first statement on one would fail its request. The server writes its goodbye
    to a connection as it ends it, and an idle connection is never sent anything else we
    use: one with something to read is dead, found without a round trip to the server."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if _has_unread_input(dbapi_connection):
            # The pool opens a new connection instead and hands that out.
            raise exc.DisconnectionError("the server closed this pooled connection")


def _has_unread_input(dbapi_connection) -> bool:
    if dbapi_connection.closed:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; writers take the lock at BEGIN (IMMEDIATE) so that
    two commands never both read a version and then race to write it."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Checkpoint the WAL less often: hot pages are then copied once per many commits.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight to the driver: this runs once per unit of work, on the hot path.
        connection.connection.dbapi_connection.execute(f"BEGIN {mode}")


def connection_of(session: Session):
    """The session's connection, fetched once per unit of work: asking the session for it on
    every statement costs more than the statement on the hot path."""
    connection = session.info.get("connection")
    if connection is None or connection.closed:
        connection = session.info["connection"] = session.connection()
    return connection


def after_commit(session: Session, action) -> None:
    """Run `action` once the unit of work has committed (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(action)


def after_rollback(session: Session, action) -> None:
    """Run `action` once the unit of work has rolled back and let its connection go (a
    refusal to record in a unit of work of its own); never if it commits."""
    session.info.setdefault("after_rollback", []).append(action)


def takes_locks(session: Session) -> bool:
    """False in a read unit of work: it keeps nothing it does, so a row lock would only make
    others wait, and PostgreSQL's read-only connections refuse one."""
    return not session.info.get("read", False)


def libpq_url(engine: Engine) -> str:
    """The engine's PostgreSQL URL as psycopg takes it, for a connection of its own outside
    the pools (one that LISTENs)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """Owns the engine and hands out units of work; built by the app factory, never at import.

    A command is one connection in one transaction, with an ORM session bound to it: the
    hot paths run Core statements on the connection, the rest uses the ORM, and both commit
    or roll back together. (A session that manages its own transaction costs twice as much
    per command.) A read writes and locks nothing; on PostgreSQL it runs on a pool of its
    own whose connections refuse writes.
    """

    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE,
                 max_overflow: int = DEFAULT_MAX_OVERFLOW, synchronous_commit: bool = True):
        self.engine = make_engine(url, pool_size, max_overflow, synchronous_commit=synchronous_commit)
        self._disposals: list = []
        if is_sqlite(self.engine):
            self.reader = self.engine
            self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            # Reads skip BEGIN and ROLLBACK, two round trips each: in READ COMMITTED every
            # statement sees its own snapshot either way. A ROLLBACK would also make
            # psycopg drop the connection's prepared statements.
            self.reader = make_engine(url, pool_size, max_overflow, read_only=True)
            self._writer = self.engine
            round_trips.hold_until_needed(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.reader.connect() as connection:
            transaction = connection.begin()
            session = _bound_session(connection)
            session.info["read"] = True
            try:
                yield session
            finally:
                session.close()
                transaction.rollback()

    @contextmanager
    def command(self) -> Iterator[Session]:
        """One transaction per command: committed when the block ends, rolled back on error."""
        info: dict = {}
        try:
            with self._writer.connect() as connection:
                transaction = connection.begin()
                session = _bound_session(connection)
                info = session.info
                try:
                    yield session
                    session.flush()
                    transaction.commit()
                except BaseException:
                    transaction.rollback()
                    raise
                finally:
                    session.close()
        except BaseException:
            for action in info.get("after_rollback", ()):
                action()
            raise
        for action in info.get("after_commit", ()):
            action()

    def on_dispose(self, action) -> None:
        """Run `action` when the database is disposed (a helper's thread or connection)."""
        self._disposals.append(action)

    def dispose(self) -> None:
        for action in self._disposals:
            action()
        self.engine.dispose()
        self.reader.dispose()


def _bound_session(connection) -> Session:
    session = Session(bind=connection, expire_on_commit=False, autoflush=False)
    session.info["connection"] = connection
    return session
