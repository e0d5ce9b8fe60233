"""Who is calling: password checks, the actor a use case acts for, and their groups."""
from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.models import LoginThrottle, Organization, User, UserGroup
from app.prepared import Prepared

SEE_ALL_GROUPS = frozenset({"department", "department_leader", "manager", "agency", "admin"})
# Machine clients (service accounts): they correlate messages and read nothing.
SERVICE_GROUP = "service"
DEPLOY_GROUPS = frozenset({"analyst", "admin"})
CREDENTIAL_TTL_SECONDS = 60


@dataclass(frozen=True)
class Actor:
    id: str
    display_name: str
    organization_id: str
    organization_name: str
    organization_kind: str
    groups: frozenset[str]
    # Where the request came from (the client's address), for the audit log; set by the web
    # layer when it authenticates the request.
    source: str | None = None

    @property
    def candidate_values(self) -> frozenset[str]:
        return candidate_names(self.organization_id, self.groups)

    @property
    def sees_everything(self) -> bool:
        return bool(self.groups & SEE_ALL_GROUPS)

    def in_any(self, groups) -> bool:
        return bool(self.groups & set(groups))


def candidate_names(organization_id: str, groups) -> frozenset[str]:
    """Every candidate-group string that names a user of these groups and this unit: `g`,
    `g:<org>` and `org:<org>`."""
    groups = set(groups)
    return frozenset(groups | {f"{g}:{organization_id}" for g in groups} | {f"org:{organization_id}"})


def actor_of(user: User) -> Actor:
    return Actor(
        id=user.id,
        display_name=user.display_name,
        organization_id=user.organization_id,
        organization_name=user.organization.name,
        organization_kind=user.organization.kind,
        groups=frozenset(user.groups),
    )


@dataclass(frozen=True)
class UserState:
    """What every authenticated request must know of its user, read afresh each time:
    a deactivation, a password change, a group change or a lock then counts at once."""

    actor: Actor
    password_hash: str
    active: bool
    is_demo: bool
    must_change_password: bool
    password_changed_at: datetime | None
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


# One statement, by primary key: it runs on every API request.
_USER_STATE = Prepared(
    select(
        User.id, User.display_name, User.password_hash, User.active, User.is_demo,
        User.must_change_password, User.password_changed_at, User.organization_id,
        Organization.name.label("organization_name"),
        Organization.kind.label("organization_kind"), UserGroup.group_id,
        LoginThrottle.locked_until,
    )
    .join(Organization, Organization.id == User.organization_id)
    .outerjoin(UserGroup, UserGroup.user_id == User.id)
    .outerjoin(LoginThrottle, LoginThrottle.username == User.id)
    .where(User.id == bindparam("user_id"))
)


def user_state(connection: Connection, user_id: str) -> UserState | None:
    rows = _USER_STATE.all(connection, {"user_id": user_id})
    if not rows:
        return None
    first = rows[0]
    actor = Actor(
        id=first.id, display_name=first.display_name, organization_id=first.organization_id,
        organization_name=first.organization_name, organization_kind=first.organization_kind,
        groups=frozenset(row.group_id for row in rows if row.group_id is not None),
    )
    return UserState(actor=actor, password_hash=first.password_hash, active=first.active,
                     is_demo=first.is_demo, must_change_password=first.must_change_password,
                     password_changed_at=first.password_changed_at,
                     locked_until=first.locked_until)


def hash_password(password: str) -> str:
    return generate_password_hash(password)


class CredentialCache:
    """Which password hashes a client's credentials have been checked against, for a minute.

    Only the expensive hash check is kept (a strong hash takes tens of milliseconds by
    design, too long for every REST call); whether the user is active, locked, or still has
    that hash is read from the database on every request. Keyed by a digest of what the
    client sent, never the password itself.
    """

    def __init__(self, ttl: float = CREDENTIAL_TTL_SECONDS):
        self._ttl = ttl
        self._entries: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, password: str) -> str:
        return hashlib.sha256(f"{username}\0{password}".encode()).hexdigest()

    def verified(self, key: str, password_hash: str) -> bool:
        """True if `key`'s password was checked against exactly this hash a moment ago."""
        entry = self._entries.get(key)
        return entry is not None and entry[0] >= time.monotonic() and entry[1] == password_hash

    def check(self, username: str, password: str, password_hash: str) -> bool:
        """The hash check, skipped when it was made a moment ago for the same hash."""
        key = self.key(username, password)
        if self.verified(key, password_hash):
            return True
        if not check_password_hash(password_hash, password):
            return False
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self._ttl, password_hash)
        return True


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def spend_a_password_check(password: str) -> None:
    """As long as a real check: the time of a refusal does not tell which names exist."""
    check_password_hash(_decoy_hash(), password)


def load_actor(session: Session, user_id: str) -> Actor | None:
    user = session.get(User, user_id)
    return actor_of(user) if user is not None and user.active else None
