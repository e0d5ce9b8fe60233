"""Alembic environment for TIC Flow (SQLite and PostgreSQL).

Where the database comes from, first match wins:
1. ``config.attributes["connection"]``: an open SQLAlchemy Connection handed in by the
   caller (``flask --app app setup``, tests); migrations run on it, in its transaction.
2. ``sqlalchemy.url`` set on the Config by the caller (``cfg.set_main_option``; escape a
   ``%`` as ``%%``) or ``alembic -x url=...`` on the command line.
3. ``DATABASE_URL`` from the environment.
4. The app's default, ``app.config.default_database_url()`` (SQLite under ``instance/``).

``target_metadata`` is the ORM metadata from ``app.models`` (``metadata`` or
``Base.metadata``), used by ``alembic revision --autogenerate``. Migrations render in
batch mode so that ALTERs also work on SQLite; a column type defined in ``app`` is
rendered by module path with an ``import`` of its module.

Logging from alembic.ini is applied only when Alembic runs as a program; pass
``config.attributes["configure_logger"] = False`` to keep the caller's logging untouched
(existing loggers are never disabled, so pytest's caplog keeps working either way).
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import MetaData, create_engine, pool
from sqlalchemy.engine import Connection

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _target_metadata() -> MetaData:
    import app.models as models

    metadata = getattr(models, "metadata", None)
    if metadata is None:
        base = getattr(models, "Base", None)
        metadata = getattr(base, "metadata", None)
    if not isinstance(metadata, MetaData):
        raise RuntimeError("app.models must expose `metadata` or `Base.metadata` for Alembic")
    return metadata


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if url:
        return url
    from app.config import default_database_url

    return default_database_url()


target_metadata = _target_metadata()


def _render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Import the module of our own column types (e.g. app.models.base.UtcDateTime) in
    generated revisions; Alembic renders them by full module path but imports only sa."""
    module = type(obj).__module__
    if type_ == "type" and (module == "app" or module.startswith("app.")):
        autogen_context.imports.add(f"import {module}")
    return False  # keep Alembic's default rendering


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL for the migrations to the script output (``alembic upgrade --sql``)."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection or on a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
