"""Server-side sessions of the pages (F6): sign-out, deactivation and the idle timeout end
them on the server, so a cookie captured earlier is worthless."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.config import ConfigError, load_settings
from app.models import AuditEntry, User, UserSession
from tests.support.web import WebUser, text


def session_cookie(user: WebUser) -> str:
    return user.client.get_cookie("session").value


def replay(app, cookie: str):
    """Another browser presenting a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/tasks")


def sessions_of(ctx, user_id: str) -> list[UserSession]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.created_at)))


def audit_entries(ctx, action: str) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_cookie_captured_before_logout_is_refused_afterwards(app, web):
    cotton = web()
    cotton.login("cotton")
    captured = session_cookie(cotton)
    assert replay(app, captured).status_code == 200
    cotton.post("/logout")
    refused = replay(app, captured)
    assert refused.status_code == 302 and refused.location.startswith("/login")


def test_the_database_keeps_only_a_digest_of_the_session_token(ctx, web):
    cotton = web()
    cotton.login("cotton")
    [row] = sessions_of(ctx, "cotton")
    assert row.source == "127.0.0.1" and row.ended_at is None
    assert row.id not in session_cookie(cotton)


def test_signing_in_again_ends_the_previous_session(app, ctx, web):
    cotton = web()
    cotton.login("cotton")
    first = session_cookie(cotton)
    cotton.post("/login", {"username": "cotton", "password": "demo"})
    assert replay(app, first).status_code == 302
    assert [s.end_reason for s in sessions_of(ctx, "cotton")] == ["logout", None]


def test_an_idle_session_ends_after_thirty_minutes_with_a_message_in_chinese(ctx, web, clock):
    cotton = web()
    cotton.login("cotton")
    clock.advance(timedelta(minutes=30, seconds=61))
    response = cotton.get("/tasks?box=done")
    assert response.status_code == 302
    assert response.location == "/login?next=/tasks?box%3Ddone"
    assert "登录已超时，请重新登录" in text(cotton.get(response.location))
    assert cotton.get("/tasks").status_code == 302
    [expired] = audit_entries(ctx, "session.expire")
    assert expired.user_id == "cotton" and expired.source == "127.0.0.1"
    assert sessions_of(ctx, "cotton")[0].end_reason == "idle"


def test_activity_keeps_the_session_alive(web, clock):
    cotton = web()
    cotton.login("cotton")
    for _ in range(3):
        clock.advance(timedelta(minutes=25))
        assert cotton.get("/tasks").status_code == 200


def test_last_seen_is_written_at_most_about_once_a_minute(ctx, web, clock):
    cotton = web()
    cotton.login("cotton")
    signed_in_at = sessions_of(ctx, "cotton")[0].last_seen_at
    clock.advance(timedelta(seconds=30))
    cotton.get("/tasks")
    assert sessions_of(ctx, "cotton")[0].last_seen_at == signed_in_at
    clock.advance(timedelta(seconds=31))
    cotton.get("/tasks")
    assert sessions_of(ctx, "cotton")[0].last_seen_at == clock.now()


def test_the_idle_timeout_is_a_setting(database_url, clock, app):
    short = create_app({"database_url": database_url, "secret_key": "test",
                        "session_idle_minutes": 5}, clock=clock)
    try:
        cotton = WebUser(short.test_client())
        cotton.login("cotton")
        clock.advance(timedelta(minutes=4))
        assert cotton.get("/tasks").status_code == 200
        clock.advance(timedelta(minutes=6))
        assert cotton.get("/tasks").status_code == 302
    finally:
        short.extensions["ticflow"].db.dispose()


def test_the_idle_timeout_comes_from_the_environment(monkeypatch):
    assert load_settings().session_idle_minutes == 30
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    assert load_settings().session_idle_minutes == 15
    for wrong in ("0", "soon"):
        monkeypatch.setenv("SESSION_IDLE_MINUTES", wrong)
        with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES"):
            load_settings()


def test_a_deactivated_user_is_signed_out_at_once(ctx, web):
    cotton = web()
    cotton.login("cotton")
    with ctx.db.command() as session:
        session.execute(update(User).where(User.id == "cotton").values(active=False))
    assert cotton.get("/tasks").status_code == 302


def test_sign_out_is_audited(ctx, web):
    cotton = web()
    cotton.login("cotton")
    cotton.post("/logout")
    [logout] = audit_entries(ctx, "logout")
    assert logout.user_id == "cotton" and logout.success and logout.source == "127.0.0.1"
    assert sessions_of(ctx, "cotton")[0].end_reason == "logout"


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(ctx, web):
    visitor = web()
    visitor.client.post("/login", data={"csrf_token": visitor.token(), "username": "cotton",
                                        "password": "wrong"},
                        headers={"X-Forwarded-For": "203.0.113.9"})
    assert audit_entries(ctx, "login")[-1].source == "127.0.0.1"


def test_behind_a_trusted_proxy_the_address_and_https_come_from_its_headers(database_url, clock, app):
    proxied = create_app({"database_url": database_url, "secret_key": "test", "trusted_proxies": 1},
                         clock=clock)
    try:
        visitor = WebUser(proxied.test_client())
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        response = visitor.client.post("/login", data={
            "csrf_token": visitor.token(), "username": "cotton", "password": "demo"}, headers=forwarded)
        assert "Secure" in response.headers["Set-Cookie"]
        [login] = audit_entries(proxied.extensions["ticflow"], "login")
        assert login.source == "203.0.113.9"
    finally:
        proxied.extensions["ticflow"].db.dispose()


def test_the_number_of_trusted_proxies_comes_from_the_environment(monkeypatch):
    assert load_settings().trusted_proxies == 0
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    assert load_settings().trusted_proxies == 1
    monkeypatch.setenv("TRUSTED_PROXIES", "-1")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings()
