"""Accounts: a user changing their own password, and what administrators do to users and
organizations (from the command line, or the admin pages through
`app.platform.administration`, which passes the reason an administrator gives). Each change
is audited in the same unit of work, with its reason, and ends the sessions it makes stale."""
from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Organization, User, UserGroup
from app.models.identity import ORGANIZATION_KINDS

from app.core import audit, login_guard, passwords, user_sessions
from app.core.context import AppContext
from app.core.errors import NotFound, ValidationFailed
from app.core.identity import hash_password

GROUP_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def change_own_password(ctx: AppContext, session: Session, user_id: str, current: str,
                        new: str, confirm: str, source: str | None,
                        keep_session: str | None) -> list[dict]:
    """Set a new password after checking the current one; returns the errors, field by field
    (none: done). The other sessions of the user end; `keep_session` (this browser) stays.

    Errors are returned, not raised: a wrong current password is a failed sign-in, and its
    count must be committed."""
    outcome = login_guard.sign_in(ctx, session, user_id, current, source, channel="password")
    errors = []
    if outcome.locked_until is not None:
        errors.append({"field": "currentPassword", "message": login_guard.AccountLocked(
            outcome.locked_until, ctx.now()).message})
    elif outcome.state is None:
        errors.append({"field": "currentPassword",
                       "message": "当前密码不正确 / the current password is wrong"})
    errors += passwords.policy_errors(new, user_id, ctx.settings.password_min_length)
    if new != confirm:
        errors.append({"field": "confirmPassword",
                       "message": "两次输入的新密码不一致 / the two new passwords differ"})
    if outcome.state is not None and new == current:
        errors.append({"field": "newPassword",
                       "message": "新密码不能与当前密码相同 / choose a password you are not using"})
    if errors:
        return errors
    _store_password(ctx, session, user_id, new, must_change=False)
    user_sessions.end_all(ctx, session, user_id, "password", keep_token=keep_session)
    audit.record(ctx, session, "password.change", user_id=user_id, target=user_id, source=source)
    return []


def reset_password(ctx: AppContext, session: Session, by: str, source: str, user_id: str,
                   password: str, reason: str | None = None) -> None:
    """An administrator sets a user's password: the user must change it at the next sign-in."""
    _user(session, user_id)
    _check_policy(password, user_id, ctx)
    _store_password(ctx, session, user_id, password, must_change=True)
    ended = user_sessions.end_all(ctx, session, user_id, "password")
    audit.record(ctx, session, "password.reset", user_id=by, target=user_id, source=source,
                 details=_with_reason({"sessionsEnded": ended}, reason))


def create_user(ctx: AppContext, session: Session, by: str, source: str, user_id: str,
                display_name: str, organization_id: str, groups: list[str],
                password: str, reason: str | None = None) -> None:
    """A new account, whose first sign-in asks for a password of the user's own."""
    errors = []
    if not USER_ID.fullmatch(user_id):
        errors.append({"field": "userId", "message": "用户名只能由字母、数字和 . _ - 组成，至多 64 位 / "
                                                     "letters, digits and . _ - only, up to 64"})
    elif session.get(User, user_id) is not None:
        errors.append({"field": "userId", "message": f"用户名 {user_id} 已存在 / already taken"})
    errors += _profile_errors(session, display_name, organization_id)
    errors += _group_errors(groups)
    errors += passwords.policy_errors(password, user_id, ctx.settings.password_min_length,
                                      field="password")
    if errors:
        raise ValidationFailed("用户信息有误 / the account cannot be created", errors)
    user = User(id=user_id, display_name=display_name.strip(), organization_id=organization_id,
                password_hash=hash_password(password), password_changed_at=ctx.now(),
                must_change_password=True, is_demo=False, active=True)
    user.group_rows = [UserGroup(user_id=user_id, group_id=g) for g in sorted(set(groups))]
    session.add(user)
    audit.record(ctx, session, "user.create", user_id=by, target=user_id, source=source,
                 details=_with_reason({"organization": organization_id, "groups": sorted(set(groups))}, reason))


def update_user(ctx: AppContext, session: Session, by: str, source: str, user_id: str,
                display_name: str, organization_id: str, reason: str | None = None) -> None:
    """Change a user's name or organization. A scoped group (`recommender:<org>`) follows the
    new organization from the user's next request, as groups are read on every request."""
    user = _user(session, user_id)
    errors = _profile_errors(session, display_name, organization_id)
    if errors:
        raise ValidationFailed("用户信息有误 / the account cannot be changed", errors)
    before = {"displayName": user.display_name, "organization": user.organization_id}
    user.display_name, user.organization_id = display_name.strip(), organization_id
    audit.record(ctx, session, "user.update", user_id=by, target=user_id, source=source,
                 details=_with_reason({"before": before, "after": {
                     "displayName": user.display_name, "organization": organization_id}}, reason))


def deactivate_user(ctx: AppContext, session: Session, by: str, source: str,
                    user_id: str, reason: str | None = None) -> int:
    """Take an account out of use at once: its sessions end; returns how many did."""
    user = _user(session, user_id)
    user.active = False
    ended = user_sessions.end_all(ctx, session, user_id, "deactivated")
    audit.record(ctx, session, "user.deactivate", user_id=by, target=user_id, source=source,
                 details=_with_reason({"sessionsEnded": ended}, reason))
    return ended


def set_groups(ctx: AppContext, session: Session, by: str, source: str, user_id: str,
               groups: list[str], reason: str | None = None) -> None:
    """Replace a user's groups (their permissions): counted from their next request."""
    user = _user(session, user_id)
    errors = _group_errors(groups)
    if errors:
        raise ValidationFailed("用户组有误 / invalid groups", errors)
    before = user.groups
    user.group_rows = [UserGroup(user_id=user_id, group_id=g) for g in sorted(set(groups))]
    audit.record(ctx, session, "user.groups", user_id=by, target=user_id, source=source,
                 details=_with_reason({"before": before, "after": sorted(set(groups))}, reason))


def create_organization(ctx: AppContext, session: Session, by: str, source: str, org_id: str,
                        name: str, kind: str, reason: str | None = None) -> None:
    errors = []
    if not GROUP_NAME.fullmatch(org_id) or session.get(Organization, org_id) is not None:
        errors.append({"field": "organizationId",
                       "message": "单位编号须为小写字母开头的字母、数字或下划线，且未被占用 / "
                                  "lower-case letters, digits, _; not taken"})
    errors += _organization_errors(session, name, kind, org_id)
    if errors:
        raise ValidationFailed("单位信息有误 / the organization cannot be created", errors)
    session.add(Organization(id=org_id, name=name.strip(), kind=kind))
    audit.record(ctx, session, "organization.create", user_id=by, target=org_id, source=source,
                 details=_with_reason({"name": name.strip(), "kind": kind}, reason))


def update_organization(ctx: AppContext, session: Session, by: str, source: str, org_id: str,
                        name: str, kind: str, reason: str | None = None) -> None:
    """Rename an organization or correct its kind; its id, which scoped groups and cases
    name, never changes."""
    organization = session.get(Organization, org_id)
    if organization is None:
        raise NotFound(f"单位 {org_id} 不存在 / no such organization")
    errors = _organization_errors(session, name, kind, org_id)
    if errors:
        raise ValidationFailed("单位信息有误 / the organization cannot be changed", errors)
    before = {"name": organization.name, "kind": organization.kind}
    organization.name, organization.kind = name.strip(), kind
    audit.record(ctx, session, "organization.update", user_id=by, target=org_id, source=source,
                 details=_with_reason({"before": before, "after": {"name": name.strip(), "kind": kind}}, reason))


def _organization_errors(session: Session, name: str, kind: str, org_id: str) -> list[dict]:
    errors = []
    if not name.strip() or len(name.strip()) > 200 or session.scalar(select(Organization.id).where(
            Organization.name == name.strip(), Organization.id != org_id)) is not None:
        errors.append({"field": "name", "message": "单位名称必填（至多 200 字）且不能重复 / required and unique"})
    if kind not in ORGANIZATION_KINDS:
        errors.append({"field": "kind", "message": f"单位类型须为 {', '.join(ORGANIZATION_KINDS)} 之一"})
    return errors


def _profile_errors(session: Session, display_name: str, organization_id: str) -> list[dict]:
    errors = []
    if not display_name.strip() or len(display_name) > 100:
        errors.append({"field": "displayName", "message": "请填写姓名（至多 100 字）/ required, up to 100"})
    if session.get(Organization, organization_id) is None:
        errors.append({"field": "organization",
                       "message": f"单位 {organization_id} 不存在 / no such organization"})
    return errors


def _with_reason(details: dict, reason: str | None) -> dict:
    """The audit details, with the administrator's reason when one was given."""
    return {**details, "reason": reason} if reason else details


def _store_password(ctx: AppContext, session: Session, user_id: str, password: str,
                    must_change: bool) -> None:
    session.execute(update(User).where(User.id == user_id).values(
        password_hash=hash_password(password), password_changed_at=ctx.now(),
        must_change_password=must_change))


def _check_policy(password: str, user_id: str, ctx: AppContext) -> None:
    errors = passwords.policy_errors(password, user_id, ctx.settings.password_min_length,
                                     field="password")
    if errors:
        raise ValidationFailed("密码不符合要求 / the password does not meet the policy", errors)


def _group_errors(groups: list[str]) -> list[dict]:
    wrong = [g for g in groups if not GROUP_NAME.fullmatch(g)]
    if not wrong:
        return []
    return [{"field": "groups", "message": f"用户组名称须为小写字母、数字或下划线：{', '.join(wrong)} / "
                                           "group names are lower-case letters, digits, _"}]


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / no such user")
    return user
