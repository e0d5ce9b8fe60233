"""Settings: production requires a secret key and refuses demo accounts; the connection pools
are sized from the environment."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app.config import ConfigError, load_settings
from app.db import Database
from app.core import login_guard
from app.models import AuditEntry, Task
from tests.support.clients import basic


def test_production_without_a_secret_key_is_refused(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"environment": "production"})


def test_production_never_loads_demo_data():
    settings = load_settings({"environment": "production", "secret_key": "s3cret"})
    assert settings.demo_data is False


def test_production_refuses_demo_accounts_even_if_they_exist(production_app):
    response = production_app.test_client().get("/engine-rest/task", headers=basic("officer"))
    assert response.status_code == 401


def test_production_answers_a_demo_name_like_any_failure(production_app):
    """No enumeration: a demo name with its right password, an unknown name and a wrong
    password all get the same answer."""
    client = production_app.test_client()
    answers = {(r.status_code, r.get_json()["message"]) for r in (
        client.get("/engine-rest/task", headers=basic("officer")),
        client.get("/engine-rest/task", headers=basic("officer", "wrong")),
        client.get("/engine-rest/task", headers=basic("nobody")),
    )}
    assert answers == {(401, "用户名或密码错误 / unknown user or wrong password")}


def test_production_counts_and_audits_demo_sign_ins_as_failures(production_app):
    client = production_app.test_client()
    for _ in range(login_guard.MAX_FAILURES):
        client.get("/engine-rest/task", headers=basic("manager"))
    assert client.get("/engine-rest/task", headers=basic("manager")).status_code == 429
    with production_app.extensions["ticflow"].db.read() as session:
        failures = session.scalars(select(AuditEntry).where(
            AuditEntry.user_id == "manager", AuditEntry.action == "login")).all()
    assert len(failures) == login_guard.MAX_FAILURES + 1
    assert not any(f.success for f in failures)


def test_development_accepts_demo_accounts(rest):
    assert rest("officer").get("/task").status_code == 200


def test_the_instance_cache_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("INSTANCE_CACHE_SIZE", "0")
    assert load_settings().instance_cache_size == 0
    monkeypatch.setenv("INSTANCE_CACHE_SIZE", "many")
    with pytest.raises(ConfigError, match="INSTANCE_CACHE_SIZE 必须是整数"):
        load_settings()


def test_the_job_lock_duration_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("JOB_LOCK_SECONDS", "5")
    assert load_settings().job_lock_seconds == 5
    monkeypatch.setenv("JOB_LOCK_SECONDS", "0")
    with pytest.raises(ConfigError, match="JOB_LOCK_SECONDS 必须是正整数"):
        load_settings()


def test_the_connection_pool_is_sized_by_the_web_threads_unless_told(monkeypatch):
    for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "WEB_THREADS", "EXTERNAL_TASK_LONG_POLLS"):
        monkeypatch.delenv(name, raising=False)
    # The web server runs WEB_THREADS threads and EXTERNAL_TASK_LONG_POLLS more (2 each).
    assert (load_settings().db_pool_size, load_settings().db_max_overflow) == (4, 2)
    monkeypatch.setenv("WEB_THREADS", "6")
    assert (load_settings().db_pool_size, load_settings().db_max_overflow) == (8, 6)
    monkeypatch.setenv("EXTERNAL_TASK_LONG_POLLS", "0")
    assert (load_settings().db_pool_size, load_settings().db_max_overflow) == (6, 6)
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    assert (load_settings().db_pool_size, load_settings().db_max_overflow) == (3, 0)


@pytest.mark.parametrize("name, value, message", [
    ("DB_POOL_SIZE", "0", "DB_POOL_SIZE 必须是正整数"),
    ("DB_POOL_SIZE", "ten", "DB_POOL_SIZE 必须是整数"),
    ("DB_MAX_OVERFLOW", "-1", "DB_MAX_OVERFLOW 不能为负数"),
    ("WEB_THREADS", "0", "WEB_THREADS 必须是正整数"),
])
def test_a_connection_pool_setting_out_of_range_is_refused(monkeypatch, name, value, message):
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_a_postgresql_pool_holds_the_connections_it_is_given():
    """Sizes only: building the pools opens no connection, so no server is needed."""
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_size=3, max_overflow=1)
    for engine in (database.engine, database.reader):
        assert (engine.pool.size(), engine.pool._max_overflow) == (3, 1)
    assert database.reader is not database.engine
    database.dispose()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL's read-only transactions")
def test_a_read_on_postgresql_cannot_write(ctx):
    with pytest.raises(DBAPIError, match="read-only transaction"):
        with ctx.db.read() as session:
            session.execute(update(Task).values(assignee="officer"))


def test_the_document_prefixes_come_from_the_environment_and_must_be_short(monkeypatch):
    monkeypatch.setenv("DOCUMENT_PREFIX", "新科字")
    assert load_settings().document_prefix == "新科字"
    for bad in ("", "   ", "新" * 21):
        monkeypatch.setenv("INTERNAL_DOCUMENT_PREFIX", bad)
        with pytest.raises(ConfigError, match="INTERNAL_DOCUMENT_PREFIX"):
            load_settings()


def test_commits_wait_for_the_disk_unless_told(monkeypatch):
    monkeypatch.delenv("DB_SYNCHRONOUS_COMMIT", raising=False)
    assert load_settings().db_synchronous_commit is True
    monkeypatch.setenv("DB_SYNCHRONOUS_COMMIT", "off")
    assert load_settings().db_synchronous_commit is False
    monkeypatch.setenv("DB_SYNCHRONOUS_COMMIT", "false")
    with pytest.raises(ConfigError, match="DB_SYNCHRONOUS_COMMIT 只能是 on 或 off"):
        load_settings()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL's synchronous_commit")
@pytest.mark.parametrize("synchronous_commit, shown", [(True, "on"), (False, "off")])
def test_a_command_on_postgresql_commits_as_configured(ctx, synchronous_commit, shown):
    database = Database(ctx.db.engine.url.render_as_string(hide_password=False),
                        synchronous_commit=synchronous_commit)
    try:
        with database.command() as session:
            assert session.scalar(text("SHOW synchronous_commit")) == shown
    finally:
        database.dispose()
