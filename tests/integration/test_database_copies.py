"""The database a test starts from is a copy of a template made once per session
(tests/support/database.py): it must be exactly what `create_all` and the demo data build,
down to the indexes, foreign keys, sequences and the audit log's triggers."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.apps import build_app
from tests.support.clients import Rest
from tests.support.database import PostgresDatabases, build
from tests.support.establishment import deploy_models

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite")


def test_a_test_database_is_what_create_all_and_the_demo_data_build(ctx, session_databases, tmp_path):
    folder = tmp_path / "built"
    folder.mkdir()
    built = session_databases.new(folder, filled=False)
    try:
        build(built)
        assert described(ctx.settings.database_url) == described(built)
    finally:
        session_databases.drop(built)


def test_a_test_without_an_app_gets_an_empty_database(database_url):
    assert described(database_url)["tables"] == {}


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="SQLite copies live in tmp_path")
@pytest.mark.parametrize("filled", [False, True], ids=["empty", "copied"])
def test_a_run_drops_every_schema_it_made(tmp_path, filled):
    run = PostgresDatabases(DATABASE_URL)
    run.drop(run.new(tmp_path, filled))
    run.close()
    engine = create_engine(DATABASE_URL)
    with engine.connect() as connection:
        left = connection.scalars(text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :prefix)"),
                                  {"prefix": run.prefix}).all()
    engine.dispose()
    assert left == []


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="SQLite copies live in tmp_path")
def test_a_schema_a_test_wrote_to_is_refilled_for_the_next_as_the_template_was(tmp_path, clock):
    run = PostgresDatabases(DATABASE_URL)
    try:
        used = run.new(tmp_path, filled=True)
        template = described(used)
        app = build_app(used, clock)
        deploy_models(app.extensions["ticflow"])
        assert Rest(app.test_client(), "cotton").post("/process-definition/key/tic_establishment/start",
                                                      {"businessKey": "SQ-2026-009"}).status_code == 200
        app.extensions["ticflow"].db.dispose()
        assert described(used) != template
        run.drop(used)

        again = run.new(tmp_path, filled=True)
        assert again == used
        assert described(again) == template
        run.drop(again)
    finally:
        run.close()


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="SQLite copies live in tmp_path")
def test_a_schema_a_test_added_a_table_to_is_not_reused(tmp_path):
    run = PostgresDatabases(DATABASE_URL)
    try:
        used = run.new(tmp_path, filled=True)
        engine = create_engine(used)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE sample (id integer PRIMARY KEY)"))
        engine.dispose()
        run.drop(used)
        again = run.new(tmp_path, filled=True)
        assert again != used and "sample" not in described(again)["tables"]
        run.drop(again)
    finally:
        run.close()


def described(url: str) -> dict:
    """Every table with its columns, keys, indexes and rows; the triggers, functions and
    sequences the database holds besides."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            return {
                "tables": {name: _table(connection, found, name) for name in found.get_table_names()},
                "extras": _extras(connection),
            }
    finally:
        engine.dispose()


def _table(connection, found, name: str) -> dict:
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in found.get_columns(name)],
        "primary_key": found.get_pk_constraint(name),
        "foreign_keys": sorted(map(repr, found.get_foreign_keys(name))),
        "indexes": sorted(map(_index, found.get_indexes(name))),
        "unique": sorted(map(repr, found.get_unique_constraints(name))),
        "checks": sorted(map(repr, found.get_check_constraints(name))),
        "rows": sorted(map(repr, connection.execute(text(f'SELECT * FROM "{name}"')).all())),
    }


def _index(index: dict) -> str:
    """An index as text; a partial index's WHERE as its SQL (SQLite's is reflected as an
    object, whose repr differs between two reflections of one index)."""
    options = {key: str(value) for key, value in index.get("dialect_options", {}).items()}
    return repr({**index, "dialect_options": options})


def _extras(connection) -> list:
    if connection.dialect.name == "sqlite":
        return connection.execute(text(
            "SELECT type, name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")).all()
    triggers = connection.execute(text(
        "SELECT tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal ORDER BY tgname")).all()
    functions = connection.execute(text(
        "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p "
        "WHERE p.pronamespace = current_schema()::regnamespace ORDER BY proname")).all()
    sequences = connection.execute(text(
        "SELECT sequencename, last_value, increment_by FROM pg_sequences "
        "WHERE schemaname = current_schema() ORDER BY sequencename")).all()
    # Definitions name their schema, which is each test's own.
    schema = connection.scalar(text("SELECT current_schema()"))
    return [[(name, definition.replace(f"{schema}.", "<schema>."))
             for name, definition in [*triggers, *functions]], sequences]
