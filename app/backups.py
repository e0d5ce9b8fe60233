"""Backups of the whole database and their restore (`flask --app app backup | restore`).

Everything the app keeps is in the database: instances, history, deployed models and forms,
users, the audit log, and the attachments' bytes (`attachment.data`), so one database backup
is the whole backup. SQLite is copied with its online backup API, a consistent copy while
the app runs; PostgreSQL with pg_dump's custom format, restored by pg_restore.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


class BackupError(Exception):
    """A backup or a restore that cannot be made; the message says why, for the operator."""


def backup(database_url: str, target: Path) -> None:
    """Write a backup of the database to `target`, which must not exist yet."""
    if target.exists():
        raise BackupError(f"{target} 已存在，不覆盖 / {target} exists already; choose a new name")
    try:
        if _is_sqlite(database_url):
            _sqlite_copy(_sqlite_path(database_url, must_exist=True), target)
        else:
            _pg_dump(database_url, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def restore(database_url: str, source: Path) -> None:
    """Restore a backup into the database, which must hold no tables: a restore never
    mixes a backup with other data."""
    if not source.is_file():
        raise BackupError(f"备份文件 {source} 不存在 / no backup file at {source}")
    if _tables(database_url):
        raise BackupError("目标数据库不是空的，请恢复到新建的空数据库 / the database holds tables "
                          "already: restore into a new, empty database")
    if _is_sqlite(database_url):
        _sqlite_copy(source, _sqlite_path(database_url, must_exist=False))
    else:
        _pg_restore(database_url, source)


def _is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def _sqlite_path(database_url: str, must_exist: bool) -> Path:
    path = Path(make_url(database_url).database or "")
    if must_exist and not path.is_file():
        raise BackupError(f"数据库文件 {path} 不存在 / no database file at {path}")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """Page by page through SQLite's backup API: consistent even while the app writes."""
    try:
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"无法复制 SQLite 数据库 / SQLite copy failed: {error}") from error


def _tables(database_url: str) -> int:
    """How many tables the app would see in the database (on PostgreSQL: on its search path)."""
    if _is_sqlite(database_url) and not _sqlite_path(database_url, must_exist=False).exists():
        return 0
    query = ("SELECT count(*) FROM sqlite_master WHERE type = 'table'" if _is_sqlite(database_url) else
             "SELECT count(*) FROM pg_tables WHERE schemaname = ANY(current_schemas(false))")
    return _ask(database_url, query)


def _ask(database_url: str, query: str):
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(text(query))
    finally:
        engine.dispose()


def _pg_dump(database_url: str, target: Path) -> None:
    schema = _ask(database_url, "SELECT current_schema()")
    # A database of its own (schema public) is dumped whole: `--schema=public` would write a
    # CREATE SCHEMA public that a new database refuses. An app kept in a schema of a shared
    # database (a search_path in the URL) takes that schema only.
    only = [] if schema == "public" else [f"--schema={schema}"]
    _run_pg(database_url, ["pg_dump", "--format=custom", *only, f"--file={target}"])


def _pg_restore(database_url: str, source: Path) -> None:
    # One transaction, stopping at the first error: a restore is whole or not at all. Owners
    # and grants are left out, so that any role may restore on any server; the restoring
    # role owns what it restores.
    _run_pg(database_url, ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner",
                           "--no-privileges", str(source)])


def _run_pg(database_url: str, command: list[str]) -> None:
    """Run a PostgreSQL client on the database; its password in the environment, not on
    the command line where every user of the host could read it."""
    url = make_url(database_url)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        finished = subprocess.run([*command, f"--dbname={conninfo}"], env=environment,
                                  capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}，请安装 PostgreSQL 客户端 / {command[0]} not found: "
                          "install the PostgreSQL client tools") from error
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} 失败 / {command[0]} failed: {finished.stderr.strip()}")
