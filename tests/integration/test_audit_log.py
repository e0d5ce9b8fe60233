"""The audit log: append-only in the database itself, kept 180 days, read by administrators."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.cli import migrate
from app.core import audit
from tests.support.clients import basic


def write_entry(ctx, action: str = "user.create", **fields) -> None:
    with ctx.db.command() as session:
        audit.record(ctx, session, action, user_id=fields.pop("user_id", "cli:root"),
                     target=fields.pop("target", "newuser"), source="cli", **fields)


def backdate_all(engine, days: int) -> None:
    """A row dated `days` ago in real time: the guards read the database's own clock."""
    occurred = (datetime.now(timezone.utc) - timedelta(days=days)).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_log (occurred_at, user_id, action, target, source, success) "
            "VALUES (:at, 'cli:root', 'user.create', 'old', 'cli', :ok)"), {"at": occurred, "ok": True})


def test_the_database_refuses_to_change_an_audit_entry(ctx):
    write_entry(ctx)
    with pytest.raises(DBAPIError, match="append-only"):
        with ctx.db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET success = :no"), {"no": False})


def test_the_database_refuses_to_delete_an_entry_younger_than_180_days(ctx):
    backdate_all(ctx.db.engine, 179)
    with pytest.raises(DBAPIError, match="180 days"):
        with ctx.db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))


def test_entries_older_than_180_days_may_be_deleted(ctx):
    backdate_all(ctx.db.engine, 181)
    with ctx.db.engine.begin() as connection:
        assert connection.execute(text("DELETE FROM audit_log")).rowcount == 1


def test_the_whole_log_cannot_be_emptied_at_once(ctx):
    backdate_all(ctx.db.engine, 1)
    emptying = ("TRUNCATE audit_log" if ctx.db.engine.dialect.name == "postgresql"
                else "DELETE FROM audit_log")
    with pytest.raises(DBAPIError, match="append-only|180 days"):
        with ctx.db.engine.begin() as connection:
            connection.execute(text(emptying))


def test_a_migrated_database_has_the_same_guards(database_url):
    migrate(database_url)
    engine = create_engine(database_url)
    try:
        backdate_all(engine, 10)
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text("UPDATE audit_log SET target = 'changed'"))
        with pytest.raises(DBAPIError, match="180 days"):
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM audit_log"))
    finally:
        engine.dispose()


def test_administrators_read_the_log_newest_first_page_by_page(ctx, client):
    for number in range(3):
        write_entry(ctx, target=f"user{number}", details={"groups": ["expert"]})
    response = client.get("/api/audit?maxResults=2", headers=basic("admin"))
    assert response.status_code == 200
    entries = response.get_json()
    assert [e["target"] for e in entries] == ["user2", "user1"]
    assert entries[0] == {
        "id": entries[0]["id"], "time": "2026-03-02T09:00:00.000+0800", "userId": "cli:root",
        "action": "user.create", "target": "user2", "source": "cli", "success": True,
        "details": {"groups": ["expert"]},
    }
    rest = client.get("/api/audit?firstResult=2&maxResults=2", headers=basic("admin")).get_json()
    assert [e["target"] for e in rest] == ["user0"]


def test_the_log_can_be_filtered_by_user_and_action(ctx, client):
    write_entry(ctx, action="user.create", user_id="cli:root")
    write_entry(ctx, action="user.deactivate", user_id="cli:ops")
    by_user = client.get("/api/audit?userId=cli:ops", headers=basic("admin")).get_json()
    assert [e["action"] for e in by_user] == ["user.deactivate"]
    by_action = client.get("/api/audit?action=user.create", headers=basic("admin")).get_json()
    assert [e["userId"] for e in by_action] == ["cli:root"]


@pytest.mark.parametrize("user", ["officer", "manager", "analyst", "cotton"])
def test_only_administrators_may_read_the_log(ctx, client, user):
    write_entry(ctx)
    response = client.get("/api/audit", headers=basic(user))
    assert response.status_code == 403
    assert "审计日志" in response.get_json()["message"]


def test_the_log_has_no_route_that_changes_it(client):
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/audit", headers=basic("admin"))
        assert response.status_code == 405
