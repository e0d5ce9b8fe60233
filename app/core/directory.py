"""The people and organizations to pick from: every active user, or a group's (the experts of
`expert`), with their units; the organizations of some kinds (推荐部门). Who among them may be picked for an action is `allowed_actions`'."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Organization, User, UserGroup

from app.core.identity import Actor, actor_of, load_actor


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


def organizations(session: Session, kinds: list[str] | None = None) -> list[tuple[str, str]]:
    """The organizations to pick from (of these kinds): (id, name), by name."""
    query = select(Organization.id, Organization.name)
    if kinds:
        query = query.where(Organization.kind.in_(kinds))
    return [(org_id, name) for org_id, name in session.execute(query.order_by(Organization.name, Organization.id))]


def label_of(session: Session, user_id: str) -> str:
    """A user as people read them, name (unit), never the login id; the id itself only for
    someone no longer known."""
    found = load_actor(session, user_id)
    return person(found).label if found else user_id


def person(user: Actor) -> Person:
    return Person(user.id, user.display_name, user.organization_name)
