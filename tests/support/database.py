"""The database every test starts from: built once per session, copied per test.

Building it (`create_all`, then the demo users) costs far more than copying it. On SQLite
the template is a file, and each test gets a copy of it. On PostgreSQL it is a schema of
DATABASE_URL's database; each test gets a schema of its own made by the statements
`create_all` ran for the template (tables, indexes, foreign keys, sequences, the audit
log's trigger function and triggers), sent as one script, then the template's rows and
sequence positions. A few copies are made ahead on a thread of their own; when a test ends
its schema is emptied and refilled from the template (~20 ms, against ~0.4 s of DDL for a
new copy and more to drop it) for the next test, so the server's DDL is paid only for the
first few tests. Emptying bypasses the audit log's append-only triggers, which needs a
superuser (the test server's `postgres`); under another role each test gets a new copy and
its schema is dropped behind on a thread. A test that asks for
the database without an app gets an empty one, as `flask setup` or a migration finds it.
"""
from __future__ import annotations

import itertools
import queue
import shutil
import threading
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from app.db import Database
from app.models import Base
from app.platform import working_calendar
from app.tic import demo_data
from tests.support.apps import FAST_DEMO_HASH, START


def build(url: str, statements: list[str] | None = None) -> None:
    """The schema as `create_all` makes it, with the demo users: what every test app starts
    from. `statements` collects the DDL that `create_all` ran."""
    database = Database(url)
    if statements is not None:
        event.listen(database.engine, "before_cursor_execute", _collect_ddl(statements))
    try:
        Base.metadata.create_all(database.engine)
        with database.command() as session:
            demo_data.load_demo_data(session, START, FAST_DEMO_HASH)
            working_calendar.seed(session, START)
    finally:
        database.dispose()


def _collect_ddl(statements: list[str]):
    def collect(_connection, _cursor, statement, _parameters, context, _executemany):
        if context is not None and context.isddl:
            statements.append(statement)
    return collect


def databases(url: str, folder: Path):
    """The test databases of a run: schemas of DATABASE_URL's PostgreSQL database, else SQLite files."""
    if url.startswith("postgresql"):
        return PostgresDatabases(url)
    return SqliteDatabases(folder)


class SqliteDatabases:
    """A template file built on first use, copied into each test's own folder."""

    def __init__(self, folder: Path):
        self.template = folder / "template.db"

    def new(self, folder: Path, filled: bool) -> str:
        path = folder / "ticflow.db"
        if filled:
            if not self.template.exists():
                # Disposing closes the last connection: SQLite then moves the WAL into the
                # file and removes it, so the file alone is the whole database.
                build(f"sqlite:///{self.template}")
            shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        """Nothing to do: the file goes with the test's tmp_path."""

    def lose(self, url: str) -> None:
        """Remove the database as a lost disk would, leaving its URL to restore into."""
        path = Path(url.removeprefix("sqlite:///"))
        for lost in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            lost.unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing to do: the template goes with the session's tmp_path."""


STRUCTURE = """
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid),
       (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = n.oid AND a.attnum > 0 AND NOT a.attisdropped),
       (SELECT count(*) FROM pg_constraint WHERE connamespace = n.oid),
       (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid),
       (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = :schema
"""


class PostgresDatabases:
    """Schemas of DATABASE_URL's database named `t_<run>_<n>`, the template `t_<run>_template`
    among them: created by this run and dropped by it.

    Not a database per test `CREATE DATABASE … TEMPLATE`: PostgreSQL 15 forces a checkpoint
    for every DROP DATABASE, which costs more than the schema's DDL."""

    # Copies made ahead of the tests that will take them, by so many threads.
    AHEAD = 2
    MAKERS = 2

    def __init__(self, url: str):
        self.url = url
        self.prefix = f"t_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.numbers = itertools.count(1)
        self.copy_script: str | None = None
        self.refill_script: str | None = None
        self.structure: tuple | None = None
        self.refilled: list[str] = []
        self.filled: set[str] = set()
        self.ready: queue.Queue[str] = queue.Queue(maxsize=self.AHEAD)
        self.dropped: queue.Queue[str | None] = queue.Queue()
        self.schemas: dict[str, str] = {}
        self.closing = threading.Event()
        self.failures: list[BaseException] = []
        self.threads: list[threading.Thread] = []
        self._start(self._drop_behind, "test-schema-dropper")

    def new(self, folder: Path, filled: bool) -> str:
        if not filled:
            name = self._name()
            self._run(f'CREATE SCHEMA "{name}"')
            return self._url_of(name)
        if self.copy_script is None:
            self._build_template()
        name = self.refilled.pop() if self.refilled else self._take_ready()
        self.filled.add(name)
        return self._url_of(name)

    def drop(self, url: str) -> None:
        name = self.schemas.pop(url)
        if name in self.filled and self._refill(name):
            self.refilled.append(name)
        else:
            self.dropped.put(name)
        self.filled.discard(name)

    def lose(self, url: str) -> None:
        """Remove the test's schema, leaving its URL to restore into. (Not a database of its
        own to restore into: dropping one forces a checkpoint, seconds on a busy server.)"""
        self.filled.discard(self.schemas[url])
        self._run(f'DROP SCHEMA "{self.schemas[url]}" CASCADE')

    def close(self) -> None:
        self.closing.set()
        self.dropped.put(None)
        for thread in self.threads:
            thread.join()
        while not self.ready.empty():
            self.refilled.append(self.ready.get())
        for name in self.refilled:
            self._run(f'DROP SCHEMA "{name}" CASCADE')
        if self.copy_script is not None:
            self._run(f'DROP SCHEMA "{self.prefix}_template" CASCADE')
        self.admin.dispose()
        if self.failures:
            raise RuntimeError(f"test schemas not made or not dropped: {self.failures}")

    def _build_template(self) -> None:
        template = f"{self.prefix}_template"
        self._run(f'CREATE SCHEMA "{template}"')
        ddl: list[str] = []
        build(self._url_of(template), ddl)
        rows, sequences = self._copy_rows(template)
        used = [f"SELECT setval('\"{name}\"', {last})" for name, _start, last in sequences if last is not None]
        self.copy_script = ";\n".join([*ddl, *rows, *used])
        if self._superuser():
            emptied = [f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)]
            restarted = [f"SELECT setval('\"{name}\"', {start}, false)" for name, start, last in sequences if last is None]
            self.refill_script = ";\n".join(
                ["SET LOCAL session_replication_role = replica", *emptied, *rows, *used, *restarted])
            self.structure = self._structure(template)
        for number in range(self.MAKERS):
            self._start(self._make_ahead, f"test-schema-maker-{number}")

    def _copy_rows(self, template: str) -> tuple[list[str], list]:
        """The template's rows as statements run in the copy (its search_path), table by
        table in foreign-key order; its sequences with their start and last values."""
        with self.admin.connect() as connection:
            copies = [
                f'INSERT INTO "{table.name}" SELECT * FROM "{template}"."{table.name}"'
                for table in Base.metadata.sorted_tables
                if connection.scalar(select(func.count()).select_from(text(f'"{template}"."{table.name}"')))
            ]
            sequences = connection.execute(text(
                "SELECT sequencename, start_value, last_value FROM pg_sequences WHERE schemaname = :schema"),
                {"schema": template}).all()
        return copies, sequences

    def _structure(self, schema: str) -> tuple:
        """What a test may have added to or taken from its schema (a table, a column, an
        index, a function, a trigger), counted: a schema that differs is not reused."""
        with self.admin.connect() as connection:
            return tuple(connection.execute(text(STRUCTURE), {"schema": schema}).one())

    def _superuser(self) -> bool:
        with self.admin.connect() as connection:
            return bool(connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")))

    def _refill(self, name: str) -> bool:
        """Empty the schema a test used and fill it from the template again; False if that
        cannot be done (no superuser, or a lock a test left behind), and the schema is dropped."""
        if self.refill_script is None or self._structure(name) != self.structure:
            return False
        try:
            self._run_script(name, f"SET LOCAL lock_timeout = '5s';\n{self.refill_script}")
        except Exception:  # dropped behind instead, as a schema that cannot be reused
            return False
        return True

    def _take_ready(self) -> str:
        while True:
            try:
                return self.ready.get(timeout=1)
            except queue.Empty:
                if self.failures:
                    raise RuntimeError(f"no test schema could be made: {self.failures}") from None

    def _make_ahead(self) -> None:
        while not self.closing.is_set():
            name = self._name()
            try:
                self._copy_into(name)
            except Exception as error:  # the test waiting for it raises
                self.failures.append(error)
                return
            while True:
                try:
                    self.ready.put(name, timeout=0.2)
                    break
                except queue.Full:
                    if self.closing.is_set():
                        self._run(f'DROP SCHEMA "{name}" CASCADE')
                        return

    def _copy_into(self, name: str) -> None:
        self._run_script(name, self.copy_script, create=True)

    def _run_script(self, name: str, script: str, create: bool = False) -> None:
        created = f'CREATE SCHEMA "{name}"; ' if create else ""
        with self.admin.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            # One round trip, one transaction: the script is plain SQL without parameters.
            cursor.execute(f'BEGIN; {created}SET LOCAL search_path TO "{name}";\n{script};\nCOMMIT')
            cursor.close()

    def _drop_behind(self) -> None:
        while (name := self.dropped.get()) is not None:
            try:
                # IF EXISTS: a test that lost its schema may not have restored it.
                self._run(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            except Exception as error:  # reported when the session closes
                self.failures.append(error)

    def _start(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _name(self) -> str:
        return f"{self.prefix}_{next(self.numbers)}"

    def _url_of(self, schema: str) -> str:
        separator = "&" if "?" in self.url else "?"
        url = f"{self.url}{separator}options=-csearch_path%3D{schema}"
        self.schemas[url] = schema
        return url

    def _run(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))
