"""Accounts under the 等保 2.0 password policy: users created by an administrator (today the
CLI) change their password at the first sign-in, passwords expire after 90 days, and every
account change ends the stale sessions and is audited."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text as sql, update

from app.config import ConfigError, load_settings
from app.models import AuditEntry, User
from tests.support.clients import basic
from tests.support.web import WebUser, text

FIRST = "Tianshan-2026"
OWN = "Kashgar#Oasis9"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kw):
        return runner.invoke(args=list(args), **kw)

    return invoke


@pytest.fixture
def wang(cli):
    """A department officer created by the administrator, with a first password."""
    result = cli("create-user", "wang", "--name", "王经办", "--org", "kjt", "--group", "department",
                 "--password", FIRST)
    assert result.exit_code == 0, result.output
    return "wang"


def user_row(ctx, user_id: str) -> User:
    with ctx.db.read() as session:
        return session.get(User, user_id)


def audit_entries(ctx, action: str) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def change(user: WebUser, current: str, new: str, confirm: str | None = None, **extra):
    return user.post("/account/password", {
        "currentPassword": current, "newPassword": new,
        "confirmPassword": new if confirm is None else confirm, **extra,
    }, token_from="/account/password")


# ------------------------------------------------------------------ creating users


def test_a_user_created_by_the_cli_must_change_the_password(ctx, wang, clock):
    row = user_row(ctx, wang)
    assert row.must_change_password and not row.is_demo and row.active
    assert row.password_changed_at == clock.now()
    assert row.groups == ["department"] and row.organization_id == "kjt"
    [created] = audit_entries(ctx, "user.create")
    assert created.target == "wang" and created.user_id.startswith("cli:")
    assert created.source == "cli" and created.success
    assert json.loads(created.details_json) == {"organization": "kjt", "groups": ["department"]}


def test_the_cli_takes_the_password_from_the_environment_or_asks_for_it(ctx, cli):
    from_env = cli("create-user", "li", "--name", "李经办", "--org", "kjt",
                   env={"TICFLOW_PASSWORD": FIRST})
    assert from_env.exit_code == 0, from_env.output
    asked = cli("create-user", "zhao", "--name", "赵经办", "--org", "kjt", input=f"{FIRST}\n{FIRST}\n")
    assert asked.exit_code == 0, asked.output
    assert FIRST not in asked.output
    assert user_row(ctx, "li") is not None and user_row(ctx, "zhao") is not None


@pytest.mark.parametrize("args, complaint", [
    (["wang2", "--name", "王", "--org", "kjt", "--password", "short1A"], "密码长度至少 8 位"),
    (["wang2", "--name", "王", "--org", "kjt", "--password", "lowercaseonly"], "至少三类"),
    (["wang2", "--name", "王", "--org", "nowhere", "--password", FIRST], "单位 nowhere 不存在"),
    (["admin", "--name", "王", "--org", "kjt", "--password", FIRST], "用户名 admin 已存在"),
    (["wang 2", "--name", "王", "--org", "kjt", "--password", FIRST], "用户名只能由"),
    (["wang2", "--name", "王", "--org", "kjt", "--group", "Dept,x", "--password", FIRST], "用户组名称"),
])
def test_the_cli_refuses_a_bad_account_and_says_why(ctx, cli, args, complaint):
    result = cli("create-user", *args)
    assert result.exit_code != 0
    assert complaint in result.output
    assert audit_entries(ctx, "user.create") == []


def test_organizations_can_be_added_for_new_users(ctx, cli):
    result = cli("create-organization", "hami_gov", "--name", "哈密市人民政府",
                 "--kind", "prefecture_government")
    assert result.exit_code == 0, result.output
    assert cli("create-user", "hami", "--name", "哈密经办", "--org", "hami_gov", "--group",
               "recommender", "--password", FIRST).exit_code == 0
    assert cli("create-organization", "x", "--name", "某单位", "--kind", "castle").exit_code != 0
    assert [e.target for e in audit_entries(ctx, "organization.create")] == ["hami_gov"]


# ------------------------------------------------------------------ the first sign-in


def test_the_first_sign_in_leads_to_the_password_page_and_nothing_else(wang, web):
    user = web()
    response = user.login(wang, FIRST)
    assert response.location == "/account/password?next=/"
    page = text(user.get("/account/password"))
    assert "修改密码" in page and "管理员设置的初始密码须在首次登录时修改" in page
    for path in ("/tasks", "/start", "/notifications"):
        refused = user.get(path)
        assert refused.status_code == 302
        assert refused.location.startswith("/account/password?next=")


def test_over_rest_the_user_is_told_to_change_the_password_on_the_web_page(client, wang):
    response = client.get("/engine-rest/task", headers=basic(wang, FIRST))
    assert response.status_code == 403
    assert "/account/password" in response.get_json()["message"]
    assert "修改密码" in response.get_json()["message"]


def test_changing_the_password_opens_everything_and_the_old_one_stops_working(ctx, client, wang, web):
    user = web()
    user.login(wang, FIRST)
    response = change(user, FIRST, OWN, next="/tasks")
    assert response.status_code == 302 and response.location == "/tasks"
    assert "密码已修改" in text(user.get("/tasks"))
    row = user_row(ctx, wang)
    assert not row.must_change_password
    assert client.get("/engine-rest/task", headers=basic(wang, OWN)).status_code == 200
    assert client.get("/engine-rest/task", headers=basic(wang, FIRST)).status_code == 401
    assert web().login(wang, FIRST).status_code == 401
    [changed] = audit_entries(ctx, "password.change")
    assert changed.user_id == wang and changed.target == wang and changed.source == "127.0.0.1"


def test_policy_errors_are_shown_beside_each_field_and_nothing_typed_is_lost(wang, web):
    user = web()
    user.login(wang, FIRST)
    response = change(user, "not-it", "short", "other")
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert 'data-error-for="currentPassword">当前密码不正确' in page
    assert 'data-error-for="newPassword">密码长度至少 8 位' in page
    assert 'data-error-for="confirmPassword">两次输入的新密码不一致' in page
    for name, value in (("currentPassword", "not-it"), ("newPassword", "short"), ("confirmPassword", "other")):
        assert f'name="{name}" type="password" value="{value}"' in page
    assert user.get("/tasks").status_code == 302


def test_the_new_password_must_differ_from_the_current_one(wang, web):
    user = web()
    user.login(wang, FIRST)
    page = text(change(user, FIRST, FIRST))
    assert 'data-error-for="newPassword">新密码不能与当前密码相同' in page


def test_wrong_current_passwords_count_toward_the_lock(wang, web):
    user = web()
    user.login(wang, FIRST)
    for _ in range(5):
        change(user, "guess-Again1", OWN)
    page = text(change(user, FIRST, OWN))
    assert "账号已锁定" in page
    assert web().login(wang, FIRST).status_code == 429


def test_changing_the_password_signs_out_the_other_sessions_but_not_this_one(ctx, wang, web):
    first, second = web(), web()
    first.login(wang, FIRST)
    second.login(wang, FIRST)
    change(first, FIRST, OWN)
    assert first.get("/tasks").status_code == 200
    assert second.get("/account/password").location.startswith("/login")


def test_a_signed_in_user_may_change_the_password_any_time(ctx, web):
    officer = web()
    officer.login("officer")
    assert "修改密码" in text(officer.get("/tasks"))
    assert "管理员设置的初始密码" not in text(officer.get("/account/password"))
    assert change(officer, "demo", OWN).location == "/"
    assert web().login("officer", OWN).status_code == 302


def test_the_password_page_needs_a_signed_in_user(web):
    response = web().get("/account/password")
    assert response.status_code == 302 and response.location.startswith("/login")


# ------------------------------------------------------------------ periodic change


def age_password(ctx, user_id: str, days: float) -> None:
    with ctx.db.command() as session:
        session.execute(update(User).where(User.id == user_id).values(
            must_change_password=False,
            password_changed_at=datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc) - timedelta(days=days)))


def test_a_password_older_than_ninety_days_must_be_changed(ctx, client, wang, web):
    age_password(ctx, wang, 89)
    assert web().login(wang, FIRST).location == "/"
    assert client.get("/engine-rest/task", headers=basic(wang, FIRST)).status_code == 200
    age_password(ctx, wang, 91)
    assert client.get("/engine-rest/task", headers=basic(wang, FIRST)).status_code == 403
    assert web().login(wang, FIRST).location.startswith("/account/password")


def test_a_session_opened_before_the_password_expired_is_sent_to_the_page_too(ctx, wang, web):
    age_password(ctx, wang, 89)
    user = web()
    user.login(wang, FIRST)
    assert user.get("/tasks").status_code == 200
    age_password(ctx, wang, 91)
    assert user.get("/tasks").location.startswith("/account/password")


def test_the_policy_settings_come_from_the_environment(monkeypatch):
    settings = load_settings()
    assert (settings.password_min_length, settings.password_max_age_days) == (8, 90)
    monkeypatch.setenv("PASSWORD_MIN_LENGTH", "12")
    monkeypatch.setenv("PASSWORD_MAX_AGE_DAYS", "60")
    settings = load_settings()
    assert (settings.password_min_length, settings.password_max_age_days) == (12, 60)
    monkeypatch.setenv("PASSWORD_MIN_LENGTH", "6")
    with pytest.raises(ConfigError, match="PASSWORD_MIN_LENGTH"):
        load_settings()
    monkeypatch.setenv("PASSWORD_MIN_LENGTH", "8")
    monkeypatch.setenv("PASSWORD_MAX_AGE_DAYS", "0")
    with pytest.raises(ConfigError, match="PASSWORD_MAX_AGE_DAYS"):
        load_settings()


def test_demo_accounts_are_exempt_from_the_change(ctx, client, web):
    age_password(ctx, "cotton", 400)
    assert web().login("cotton").location == "/"
    assert client.get("/engine-rest/task", headers=basic("cotton")).status_code == 200


# ------------------------------------------------------------------ administrators' commands


def test_set_password_resets_and_requires_a_change(ctx, cli, client, wang, web):
    user = web()
    user.login(wang, FIRST)
    change(user, FIRST, OWN)
    result = cli("set-password", wang, "--password", "Reset-Pass-42")
    assert result.exit_code == 0, result.output
    assert user.get("/tasks").location.startswith("/login")
    assert user_row(ctx, wang).must_change_password
    assert web().login(wang, "Reset-Pass-42").location.startswith("/account/password")
    [reset] = audit_entries(ctx, "password.reset")
    assert reset.target == wang and reset.user_id.startswith("cli:")


def test_deactivate_user_takes_effect_at_once_everywhere(ctx, cli, client, web):
    officer = web()
    officer.login("officer")
    assert client.get("/engine-rest/task", headers=basic("officer")).status_code == 200
    result = cli("deactivate-user", "officer")
    assert result.exit_code == 0 and "结束会话 1 个" in result.output
    assert officer.get("/tasks").status_code == 302
    assert client.get("/engine-rest/task", headers=basic("officer")).status_code == 401
    [entry] = audit_entries(ctx, "user.deactivate")
    assert entry.target == "officer" and json.loads(entry.details_json) == {"sessionsEnded": 1}


def test_set_groups_changes_permissions_at_once_and_is_audited(ctx, cli, client):
    assert client.get("/api/audit", headers=basic("officer")).status_code == 403
    result = cli("set-groups", "officer", "department", "admin")
    assert result.exit_code == 0, result.output
    assert client.get("/api/audit", headers=basic("officer")).status_code == 200
    entry = audit_entries(ctx, "user.groups")[0]
    assert json.loads(entry.details_json) == {"before": ["department"], "after": ["admin", "department"]}
    assert cli("set-groups", "nobody", "admin").exit_code != 0


# ------------------------------------------------------------------ audit retention


def test_audit_purge_refuses_dates_within_the_retention_period(ctx, cli):
    result = cli("audit-purge", "--before", "2026-01-01")
    assert result.exit_code != 0 and "至少保留 180 天" in result.output


def test_audit_purge_deletes_only_older_entries_and_records_itself(ctx, cli, clock):
    clock.freeze(datetime.now(timezone.utc))
    old = (datetime.now(timezone.utc) - timedelta(days=400)).replace(tzinfo=None)
    recent = (datetime.now(timezone.utc) - timedelta(days=10)).replace(tzinfo=None)
    with ctx.db.engine.begin() as connection:
        for at in (old, recent):
            connection.execute(sql(
                "INSERT INTO audit_log (occurred_at, user_id, action, source, success) "
                "VALUES (:at, 'cli:root', 'user.create', 'cli', :ok)"), {"at": at, "ok": True})
    cutoff = (datetime.now(timezone.utc) - timedelta(days=200)).strftime("%Y-%m-%d")
    result = cli("audit-purge", "--before", cutoff)
    assert result.exit_code == 0, result.output
    assert "已清理审计日志 1 条" in result.output
    with ctx.db.read() as session:
        left = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in left] == ["user.create", "audit.purge"]
