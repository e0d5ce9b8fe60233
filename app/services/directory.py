"""Who may be picked: the people the 转办/委派/抄送 forms and a form's user fields offer.

Each list mirrors the rule of the command it feeds (task_actions), so that the page offers
only people the command accepts.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User, UserGroup

from . import permissions, user_tasks
from .identity import Actor, actor_of

PURPOSES = ("transfer", "delegate")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    organization: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.organization}）"


def candidates_for(session: Session, actor: Actor, task_id: str, purpose: str) -> list[Person]:
    """Everyone else `actor` may hand the task to: `transfer` (转办) or `delegate` (委派)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    task = user_tasks.get_task(session, actor, task_id)
    return [_person(u) for u in _active_users(session)
            if u.id != actor.id and _refusal(purpose, actor, task, u) is None]


def _refusal(purpose: str, actor: Actor, task, target: Actor) -> str | None:
    if purpose == "transfer":
        return permissions.transfer_target_refusal(actor, task, target)
    return permissions.delegate_target_refusal(actor, task, target)


def members(session: Session, group: str) -> list[Person]:
    """The active users of a group (the experts of `expert`), with their units."""
    return [_person(u) for u in _active_users(session, group)]


def copy_targets(session: Session, actor: Actor, instance) -> list[Person]:
    """Whom `actor` may copy the case to (抄送, as `permissions` rules), the actor aside; none
    when they may not copy it at all."""
    case = permissions.case_of(instance)
    if permissions.copy_refusal(actor, case):
        return []
    return [_person(u) for u in _active_users(session)
            if u.id != actor.id and permissions.copy_target_refusal(actor, case, u) is None]


def _active_users(session: Session, group: str | None = None) -> list[Actor]:
    query = select(User).where(User.active.is_(True))
    if group is not None:
        query = query.where(User.id.in_(select(UserGroup.user_id).where(UserGroup.group_id == group)))
    return [actor_of(u) for u in session.scalars(query.order_by(User.organization_id, User.id))]


def _person(user: Actor) -> Person:
    return Person(user.id, user.display_name, user.organization_name)
