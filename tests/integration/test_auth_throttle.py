"""One throttle for every way of signing in (F5), and what the credential cache may keep (F14):
HTTP Basic on /engine-rest and /api counts and honours the same lockout as the sign-in page;
a deactivation, a password change or a group change counts on the very next request."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from app.core import login_guard
from app.core.identity import hash_password
from app.models import AuditEntry, LoginThrottle, User, UserGroup
from tests.support.clients import basic
from tests.support.web import text


def tasks(client, user: str, password: str = "demo", prefix: str = "/engine-rest/task"):
    return client.get(prefix, headers=basic(user, password))


def audit_entries(ctx, action: str) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def set_user(ctx, user_id: str, **values) -> None:
    with ctx.db.command() as session:
        session.execute(update(User).where(User.id == user_id).values(**values))


# ------------------------------------------------------------------ F5: one throttle


def test_wrong_basic_passwords_lock_the_name_and_then_the_right_one_is_refused(client, clock):
    for _ in range(login_guard.MAX_FAILURES - 1):
        assert tasks(client, "cotton", "wrong").status_code == 401
    assert tasks(client, "cotton", "wrong").status_code == 429
    locked = tasks(client, "cotton")
    assert locked.status_code == 429
    body = locked.get_json()
    assert body["type"] == "AuthenticationException"
    assert "账号已锁定" in body["message"] and "locked until 09:15" in body["message"]
    assert locked.headers["Retry-After"] == str(15 * 60)
    clock.advance(login_guard.LOCK + timedelta(seconds=1))
    assert tasks(client, "cotton").status_code == 200


def test_the_api_face_shares_the_throttle(client):
    for _ in range(login_guard.MAX_FAILURES):
        tasks(client, "cotton", "wrong", prefix="/api/inbox")
    assert tasks(client, "cotton", prefix="/api/inbox").status_code == 429
    assert tasks(client, "cotton").status_code == 429


def test_basic_failures_lock_the_sign_in_page_too(client, web):
    for _ in range(login_guard.MAX_FAILURES):
        tasks(client, "cotton", "wrong")
    response = web().login("cotton")
    assert response.status_code == 429 and "账号已锁定" in text(response)


def test_sign_in_page_failures_lock_basic_too_even_with_recently_verified_credentials(client, web):
    assert tasks(client, "cotton").status_code == 200  # the credentials are now in the cache
    for _ in range(login_guard.MAX_FAILURES):
        web().login("cotton", "wrong")
    assert tasks(client, "cotton").status_code == 429


def test_a_right_basic_password_clears_the_count(client):
    for _ in range(login_guard.MAX_FAILURES - 1):
        tasks(client, "cotton", "wrong")
    assert tasks(client, "cotton").status_code == 200
    for _ in range(login_guard.MAX_FAILURES - 1):
        assert tasks(client, "cotton", "wrong").status_code == 401


def test_unknown_names_are_locked_like_known_ones(client):
    for _ in range(login_guard.MAX_FAILURES):
        tasks(client, "nobody", "guess")
    assert tasks(client, "nobody", "guess").status_code == 429


def test_basic_failures_and_locks_are_audited_but_not_each_successful_call(ctx, client):
    tasks(client, "officer")
    tasks(client, "officer")
    for _ in range(login_guard.MAX_FAILURES + 1):
        tasks(client, "cotton", "wrong")
    logins = audit_entries(ctx, "login")
    assert [(e.user_id, e.success) for e in logins] == [("cotton", False)] * 6
    assert all('"channel": "basic"' in e.details_json for e in logins)
    assert [e.user_id for e in audit_entries(ctx, "login.lock")] == ["cotton"]


def test_a_successful_basic_call_writes_nothing(ctx, client):
    tasks(client, "officer")
    with ctx.db.read() as session:
        assert session.scalar(select(LoginThrottle)) is None
        assert session.scalar(select(AuditEntry)) is None


# ------------------------------------------------------------------ F14: at once


def test_a_deactivated_user_loses_rest_access_at_once(ctx, client):
    assert tasks(client, "cotton").status_code == 200
    set_user(ctx, "cotton", active=False)
    response = tasks(client, "cotton")
    assert response.status_code == 401
    assert response.get_json()["message"].startswith("用户名或密码错误")


def test_a_changed_password_ends_rest_access_with_the_old_one_at_once(ctx, client):
    assert tasks(client, "cotton").status_code == 200
    set_user(ctx, "cotton", password_hash=hash_password("Another-pass-1"))
    assert tasks(client, "cotton").status_code == 401
    assert tasks(client, "cotton", "Another-pass-1").status_code == 200


def test_a_group_change_counts_on_the_next_request(ctx, client):
    assert client.get("/api/audit", headers=basic("admin")).status_code == 200
    with ctx.db.command() as session:
        session.execute(delete(UserGroup).where(UserGroup.user_id == "admin"))
    assert client.get("/api/audit", headers=basic("admin")).status_code == 403


def test_a_locked_name_is_refused_on_every_worker_at_once(ctx, client, database_url, clock):
    from app import create_app

    other_worker = create_app({"database_url": database_url, "secret_key": "test"}, clock=clock)
    try:
        other = other_worker.test_client()
        assert tasks(other, "cotton").status_code == 200
        for _ in range(login_guard.MAX_FAILURES):
            tasks(client, "cotton", "wrong")
        assert tasks(other, "cotton").status_code == 429
    finally:
        other_worker.extensions["ticflow"].db.dispose()


# ------------------------------------------------------------------ the sign-in page's audit


def test_page_sign_ins_and_failures_are_audited_with_where_from(ctx, web):
    cotton = web()
    cotton.login("cotton", "wrong")
    cotton.login("cotton")
    logins = audit_entries(ctx, "login")
    assert [(e.user_id, e.success, e.source) for e in logins] == [
        ("cotton", False, "127.0.0.1"), ("cotton", True, "127.0.0.1")]


def test_the_lock_is_audited_and_so_is_every_attempt_while_locked(ctx, web):
    visitor = web()
    for _ in range(login_guard.MAX_FAILURES):
        visitor.login("xju", "wrong")
    visitor.login("xju")
    [lock] = audit_entries(ctx, "login.lock")
    assert lock.user_id == "xju" and not lock.success
    refused = audit_entries(ctx, "login")[-1]
    assert refused.user_id == "xju" and not refused.success
    assert '"reason": "locked"' in refused.details_json


def test_a_failed_sign_in_with_an_unknown_name_is_audited_under_that_name(ctx, web):
    web().login("nobody", "guess")
    [entry] = audit_entries(ctx, "login")
    assert entry.user_id == "nobody" and not entry.success
