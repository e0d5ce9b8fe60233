"""The people to pick from: every active user, or a group's (the experts of `expert`), with
their units. Who among them may be picked for an action is `allowed_actions`'."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User, UserGroup

from app.core.identity import Actor, actor_of


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    organization: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.organization}）"


def members(session: Session, group: str) -> list[Person]:
    """The active users of a group (the experts of `expert`), with their units."""
    return [person(u) for u in active_users(session, group)]


def active_users(session: Session, group: str | None = None) -> list[Actor]:
    """Every active user (of `group`), by unit."""
    query = select(User).where(User.active.is_(True))
    if group is not None:
        query = query.where(User.id.in_(select(UserGroup.user_id).where(UserGroup.group_id == group)))
    return [actor_of(u) for u in session.scalars(query.order_by(User.organization_id, User.id))]


def person(user: Actor) -> Person:
    return Person(user.id, user.display_name, user.organization_name)
