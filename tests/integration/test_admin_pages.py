"""The admin pages (/admin/users, /admin/organizations, /admin/groups) as the signed-in
administrator: each change takes effect at once and is audited with who, when, from where
and the reason given; a refused form shows its errors; everyone else gets 403."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.core.errors import BadRequest
from app.core.identity import actor_of
from app.models import AuditEntry, Organization, User
from app.platform import administration
from tests.support.clients import basic
from tests.support.web import text

FIRST = "Tianshan-2026"
OWN = "Kashgar#Oasis9"
REASON = "新入职经办人员，按处室申请开通"


@pytest.fixture
def admin(web):
    return web("admin")


def post(browser, path: str, data: dict):
    return browser.post(path, data, token_from="/tasks")


def create_wang(admin, **changes):
    return post(admin, "/admin/users", {
        "userId": "wang", "displayName": "王经办", "organization": "kjt", "groups": ["department"],
        "password": FIRST, "reason": REASON, **changes})


def audit_entries(ctx, action: str) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def user_row(ctx, user_id: str) -> User:
    with ctx.db.read() as session:
        return session.get(User, user_id)


def test_the_admin_creates_a_user_who_must_change_the_password_at_first_sign_in(ctx, admin, web):
    response = create_wang(admin)
    assert response.status_code == 302 and response.location == "/admin/users/wang"
    assert "首次登录须修改密码" in text(admin.get("/admin/users/wang"))

    assert web().login("wang", FIRST).location.startswith("/account/password")
    (entry,) = audit_entries(ctx, "user.create")
    assert (entry.user_id, entry.target, entry.source, entry.success) == ("admin", "wang", "127.0.0.1", True)
    assert json.loads(entry.details_json) == {"organization": "kjt", "groups": ["department"], "reason": REASON}
    assert entry.occurred_at is not None


def test_a_refused_form_shows_each_error_and_keeps_what_was_typed_but_the_password(ctx, admin):
    response = create_wang(admin, userId="王 经办", password="short")
    page = text(response)
    assert response.status_code == 400
    assert 'data-error-for="userId"' in page and 'data-error-for="password"' in page
    assert 'value="王经办"' in page and "short" not in page
    assert user_row(ctx, "wang") is None


def test_every_change_needs_a_reason(ctx, admin):
    response = create_wang(admin, reason="  ")
    assert response.status_code == 400 and 'data-error-for="reason"' in text(response)
    assert user_row(ctx, "wang") is None


def test_deactivation_ends_the_users_sessions_at_once(ctx, admin, web, client):
    officer = web("officer")
    assert officer.get("/tasks").status_code == 200

    response = post(admin, "/admin/users/officer/deactivate", {"reason": "调离科技厅"})
    assert response.status_code == 302
    assert officer.get("/tasks").status_code == 302
    assert client.get("/engine-rest/task", headers=basic("officer")).status_code == 401
    (entry,) = audit_entries(ctx, "user.deactivate")
    assert json.loads(entry.details_json) == {"sessionsEnded": 1, "reason": "调离科技厅"}
    assert "已停用" in text(admin.get("/admin/users"))


def test_the_admin_cannot_deactivate_their_own_account(ctx, admin):
    response = post(admin, "/admin/users/admin/deactivate", {"reason": "误操作"})
    assert response.status_code == 400 and "不能停用自己的账号" in text(response)
    assert user_row(ctx, "admin").active


def test_a_reset_password_must_be_changed_and_ends_the_sessions(ctx, admin, web):
    create_wang(admin)
    wang = web()
    wang.login("wang", FIRST)
    wang.post("/account/password", {"currentPassword": FIRST, "newPassword": OWN, "confirmPassword": OWN},
              token_from="/account/password")
    assert wang.get("/tasks").status_code == 200

    response = post(admin, "/admin/users/wang/password", {"password": "Reset-Pass-42", "reason": "本人遗忘密码"})
    assert response.status_code == 302
    assert wang.get("/tasks").location.startswith("/login")
    assert web().login("wang", "Reset-Pass-42").location.startswith("/account/password")
    (entry,) = audit_entries(ctx, "password.reset")
    assert json.loads(entry.details_json)["reason"] == "本人遗忘密码"


def test_editing_a_user_and_their_groups_counts_at_once(ctx, admin, client):
    assert client.get("/api/audit", headers=basic("officer")).status_code == 403
    response = post(admin, "/admin/users/officer/groups", {"groups": ["department", "admin"], "reason": "兼任管理员"})
    assert response.status_code == 302
    assert client.get("/api/audit", headers=basic("officer")).status_code == 200

    response = post(admin, "/admin/users/officer/profile",
                    {"displayName": "科技厅经办人（综合处）", "organization": "kjt", "reason": "处室调整"})
    assert response.status_code == 302
    assert user_row(ctx, "officer").display_name == "科技厅经办人（综合处）"
    (entry,) = audit_entries(ctx, "user.update")
    assert json.loads(entry.details_json)["reason"] == "处室调整"


def test_group_membership_from_the_groups_page(ctx, admin):
    assert post(admin, "/admin/groups/manager/add", {"userId": "officer", "reason": "兼看工作台"}).status_code == 302
    assert user_row(ctx, "officer").groups == ["department", "manager"]
    page = text(admin.get("/admin/groups"))
    assert re.search(r'data-testid="group-manager".*?data-member="officer"', page, re.S)

    assert post(admin, "/admin/groups/manager/remove", {"userId": "officer", "reason": "不再兼看"}).status_code == 302
    assert user_row(ctx, "officer").groups == ["department"]
    assert [json.loads(e.details_json)["reason"] for e in audit_entries(ctx, "user.groups")] == ["兼看工作台", "不再兼看"]


def test_organizations_are_created_and_renamed(ctx, admin):
    response = post(admin, "/admin/organizations", {"organizationId": "hami_gov", "name": "哈密市人民政府",
                                                    "kind": "prefecture_government", "reason": "新增推荐部门"})
    assert response.status_code == 302
    assert "哈密市人民政府" in text(admin.get("/admin/organizations"))

    response = post(admin, "/admin/organizations/hami_gov", {"name": "哈密市人民政府办公室",
                                                             "kind": "prefecture_government", "reason": "更正名称"})
    assert response.status_code == 302
    with ctx.db.read() as session:
        assert session.get(Organization, "hami_gov").name == "哈密市人民政府办公室"
    assert [e.target for e in audit_entries(ctx, "organization.update")] == ["hami_gov"]
    duplicate = post(admin, "/admin/organizations", {"organizationId": "hami2", "name": "哈密市人民政府办公室",
                                                     "kind": "prefecture_government", "reason": "重复"})
    assert duplicate.status_code == 400 and 'data-error-for="name"' in text(duplicate)


ADMIN_PAGES = ["/admin/users", "/admin/users/officer", "/admin/new-user", "/admin/organizations",
               "/admin/organizations/kjt", "/admin/groups"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_admin_opens_every_admin_page(admin, path):
    response = admin.get(path)
    assert response.status_code == 200, text(response)
    assert 'name="csrf_token"' in text(response) or path == "/admin/users"


def test_an_unknown_user_or_organization_is_not_found(admin):
    assert admin.get("/admin/users/nobody").status_code == 404
    assert admin.get("/admin/organizations/nowhere").status_code == 404


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("user", ["manager", "officer", "cotton"])
def test_non_admins_get_403_on_every_admin_page(web, user, path):
    response = web(user).get(path)
    assert response.status_code == 403 and "只有系统管理员" in text(response)


def test_a_non_admins_change_is_refused_and_audited(ctx, web):
    officer = web("officer")
    assert 'data-testid="nav-admin"' not in text(officer.get("/tasks"))
    response = post(officer, "/admin/users/cotton/deactivate", {"reason": "试探"})
    assert response.status_code == 403
    assert user_row(ctx, "cotton").active
    (entry,) = audit_entries(ctx, "user.deactivate")
    assert (entry.user_id, entry.target, entry.success) == ("officer", "cotton", False)


def test_the_admin_has_administration_in_the_navigation(admin):
    assert 'data-testid="nav-admin"' in text(admin.get("/tasks"))


def test_a_form_without_the_csrf_token_is_refused(ctx, admin):
    response = admin.client.post("/admin/users/officer/deactivate", data={"reason": "伪造"})
    assert response.status_code == 400
    assert user_row(ctx, "officer").active


def test_demo_accounts_stay_refused_in_production(production_app):
    """Production refuses the demo users at sign-in; their password cannot be set there either."""
    ctx = production_app.extensions["ticflow"]
    with ctx.db.read() as session:
        admin = actor_of(session.get(User, "admin"))
    with pytest.raises(BadRequest, match="演示账号"):
        with ctx.db.command() as session:
            administration.reset_password(ctx, session, admin, "officer", "Reset-Pass-42", "试图启用演示账号")
