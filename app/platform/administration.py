"""Administration (系统管理) as the admin pages use it: users, organizations and group
membership.

Administrators only (`permissions.administration_refusal`), decided here for every read and
write; a refused write is audited as well. Every write needs the administrator's reason,
which `app.core.accounts` records with the change in the same unit of work.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Organization, User, UserGroup
from app.models.identity import ORGANIZATION_KINDS

from app.core import accounts, audit, login_guard
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound, ValidationFailed
from app.core.identity import Actor
from app.platform import permissions

REASON_MAX = 500
# The groups of DOMAIN.md, and the machine clients' `service` and `worker` (external-task
# workers): offered on the pages. Other group names are accepted too (accounts checks their
# form) and listed once in use.
KNOWN_GROUPS = ("lead_unit", "recommender", "department", "department_leader", "expert", "center",
                "agency", "analyst", "manager", "admin", "service", "worker")
ADMIN_GROUP = "admin"
KINDS = ORGANIZATION_KINDS


# Reading ------------------------------------------------------------------------------------

def users(session: Session, actor: Actor) -> list[dict]:
    permissions.enforce(permissions.administration_refusal(actor))
    return [_user_view(u) for u in session.scalars(select(User).order_by(User.organization_id, User.id))]


def user(session: Session, actor: Actor, user_id: str) -> dict:
    permissions.enforce(permissions.administration_refusal(actor))
    found = session.get(User, user_id)
    if found is None:
        raise NotFound(f"用户 {user_id} 不存在 / no such user")
    return _user_view(found)


def _user_view(u: User) -> dict:
    return {"id": u.id, "name": u.display_name, "organization": u.organization_id,
            "organizationName": u.organization.name, "groups": u.groups, "active": u.active,
            "mustChangePassword": u.must_change_password, "isDemo": u.is_demo}


def organizations(session: Session, actor: Actor) -> list[dict]:
    permissions.enforce(permissions.administration_refusal(actor))
    counts = dict(session.execute(select(User.organization_id, func.count()).group_by(User.organization_id)).all())
    return [{"id": o.id, "name": o.name, "kind": o.kind, "users": counts.get(o.id, 0)}
            for o in session.scalars(select(Organization).order_by(Organization.kind, Organization.id))]


def organization(session: Session, actor: Actor, org_id: str) -> dict:
    found = next((o for o in organizations(session, actor) if o["id"] == org_id), None)
    if found is None:
        raise NotFound(f"单位 {org_id} 不存在 / no such organization")
    return found


def groups(session: Session, actor: Actor) -> list[dict]:
    """Every known group and every group in use, with its members."""
    permissions.enforce(permissions.administration_refusal(actor))
    members: dict[str, list[dict]] = {name: [] for name in KNOWN_GROUPS}
    rows = session.execute(select(UserGroup.group_id, User).join(User, User.id == UserGroup.user_id)
                           .order_by(UserGroup.group_id, User.id)).all()
    for group, member in rows:
        members.setdefault(group, []).append(_user_view(member))
    return [{"name": name, "known": name in KNOWN_GROUPS, "members": found} for name, found in members.items()]


# Changing -----------------------------------------------------------------------------------

def create_user(ctx: AppContext, session: Session, actor: Actor, user_id: str, display_name: str,
                organization_id: str, group_names: list[str], password: str, reason: str) -> None:
    """A new account; its first sign-in asks for a password of the user's own."""
    why = _admitted(ctx, session, actor, "user.create", user_id, reason)
    accounts.create_user(ctx, session, actor.id, actor.source, user_id, display_name, organization_id,
                         group_names, password, reason=why)


def update_user(ctx: AppContext, session: Session, actor: Actor, user_id: str, display_name: str,
                organization_id: str, reason: str) -> None:
    why = _admitted(ctx, session, actor, "user.update", user_id, reason)
    accounts.update_user(ctx, session, actor.id, actor.source, user_id, display_name, organization_id,
                         reason=why)


def set_groups(ctx: AppContext, session: Session, actor: Actor, user_id: str, group_names: list[str],
               reason: str) -> None:
    why = _admitted(ctx, session, actor, "user.groups", user_id, reason)
    if user_id == actor.id and ADMIN_GROUP not in group_names:
        raise BadRequest("不能取消自己的管理员权限 / you cannot take your own administrator rights away")
    accounts.set_groups(ctx, session, actor.id, actor.source, user_id, group_names, reason=why)


def add_member(ctx: AppContext, session: Session, actor: Actor, group: str, user_id: str, reason: str) -> None:
    current = user(session, actor, user_id)["groups"]
    set_groups(ctx, session, actor, user_id, sorted(set(current) | {group}), reason)


def remove_member(ctx: AppContext, session: Session, actor: Actor, group: str, user_id: str,
                  reason: str) -> None:
    current = user(session, actor, user_id)["groups"]
    set_groups(ctx, session, actor, user_id, [g for g in current if g != group], reason)


def reset_password(ctx: AppContext, session: Session, actor: Actor, user_id: str, password: str,
                   reason: str) -> None:
    """A new first password: the user's sessions end and they choose their own at sign-in.
    A demo account stays refused in production, so setting its password there is refused."""
    why = _admitted(ctx, session, actor, "password.reset", user_id, reason)
    if ctx.settings.production and user(session, actor, user_id)["isDemo"]:
        raise BadRequest("演示账号在生产环境中不可使用，不能为其设置密码 / demo accounts stay refused in production")
    accounts.reset_password(ctx, session, actor.id, actor.source, user_id, password, reason=why)


def unlock_user(ctx: AppContext, session: Session, actor: Actor, user_id: str, reason: str) -> None:
    """End a user's sign-in lock before its time (and their count of failures), audited."""
    why = _admitted(ctx, session, actor, "login.unlock", user_id, reason)
    user(session, actor, user_id)
    locked = login_guard.unlock(session, user_id)
    audit.record(ctx, session, "login.unlock", user_id=actor.id, target=user_id, source=actor.source,
                 details={"reason": why, "wasLocked": locked})


def set_password_confirmed(ctx: AppContext, session: Session, actor: Actor, user_id: str, password: str,
                           own_password: str, reason: str) -> list[dict]:
    """`reset_password` once the administrator confirmed it with their own password (Camunda's
    credentials of another user); returns the errors, as a wrong password is a failed
    sign-in whose count must be committed."""
    _admitted(ctx, session, actor, "password.reset", user_id, reason)
    # The user first: a password typed for nobody is no failed sign-in of the administrator's.
    user(session, actor, user_id)
    outcome = login_guard.sign_in(ctx, session, actor.id, own_password or "", actor.source, channel="password")
    if outcome.state is None:
        return [{"field": "authenticatedUserPassword",
                 "message": "当前用户的密码不正确 / the authenticated user's password is wrong"}]
    reset_password(ctx, session, actor, user_id, password, reason)
    return []


def deactivate_user(ctx: AppContext, session: Session, actor: Actor, user_id: str, reason: str) -> int:
    """Take an account out of use at once; returns how many sessions ended."""
    why = _admitted(ctx, session, actor, "user.deactivate", user_id, reason)
    if user_id == actor.id:
        raise BadRequest("不能停用自己的账号 / you cannot deactivate your own account")
    return accounts.deactivate_user(ctx, session, actor.id, actor.source, user_id, reason=why)


def create_organization(ctx: AppContext, session: Session, actor: Actor, org_id: str, name: str,
                        kind: str, reason: str) -> None:
    why = _admitted(ctx, session, actor, "organization.create", org_id, reason)
    accounts.create_organization(ctx, session, actor.id, actor.source, org_id, name, kind, reason=why)


def update_organization(ctx: AppContext, session: Session, actor: Actor, org_id: str, name: str,
                        kind: str, reason: str) -> None:
    why = _admitted(ctx, session, actor, "organization.update", org_id, reason)
    accounts.update_organization(ctx, session, actor.id, actor.source, org_id, name, kind, reason=why)


def _admitted(ctx: AppContext, session: Session, actor: Actor, action: str, target: str,
              reason: str) -> str:
    """Refuse (and audit the attempt) unless an administrator acts; return the reason given."""
    refusal = permissions.administration_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=target, source=actor.source)
        raise refusal
    why = (reason or "").strip()
    if not why or len(why) > REASON_MAX:
        raise ValidationFailed("请填写操作原因 / a reason is required", [
            {"field": "reason", "message": f"请填写操作原因（至多 {REASON_MAX} 字）/ required, up to {REASON_MAX}"}])
    return why
