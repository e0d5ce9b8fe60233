"""Who is calling: password checks, the actor a use case acts for, and their groups."""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.models import User

from .errors import Unauthorized

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

    @property
    def candidate_values(self) -> frozenset[str]:
        """Every candidate-group string that names this user: `g` and `g:<org>`."""
        scoped = {f"{g}:{self.organization_id}" for g in self.groups}
        return frozenset(self.groups | scoped | {f"org:{self.organization_id}"})

    @property
    def sees_everything(self) -> bool:
        return bool(self.groups & SEE_ALL_GROUPS)

    def in_any(self, groups) -> bool:
        return bool(self.groups & set(groups))


def actor_of(user: User) -> Actor:
    return Actor(
        id=user.id,
        display_name=user.display_name,
        organization_id=user.organization_id,
        organization_name=user.organization.name,
        organization_kind=user.organization.kind,
        groups=frozenset(user.groups),
    )


def hash_password(password: str) -> str:
    return generate_password_hash(password)


class CredentialCache:
    """Verified credentials for a minute, keyed by a hash of what the client sent.

    A strong password hash takes tens of milliseconds by design; checking it on every
    REST call would dominate request time.
    """

    def __init__(self, ttl: float = CREDENTIAL_TTL_SECONDS):
        self._ttl = ttl
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, password: str) -> str:
        return hashlib.sha256(f"{username}\0{password}".encode()).hexdigest()

    def get(self, key: str) -> Actor | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self._ttl, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def authenticate(session: Session, cache: CredentialCache, username: str, password: str,
                 allow_demo: bool = True) -> Actor:
    """The actor behind a user name and password; demo accounts only where demos are allowed."""
    key = cache.key(username, password)
    cached = cache.get(key)
    if cached is not None:
        return cached
    user = session.scalar(select(User).where(User.id == username, User.active.is_(True)))
    if user is not None and user.is_demo and not allow_demo:
        raise Unauthorized("生产环境不允许使用演示账号 / demo accounts are refused in production")
    if user is None or not check_password_hash(user.password_hash, password):
        raise Unauthorized("用户名或密码错误 / unknown user or wrong password")
    actor = actor_of(user)
    cache.put(key, actor)
    return actor


def load_actor(session: Session, user_id: str) -> Actor | None:
    user = session.get(User, user_id)
    return actor_of(user) if user is not None and user.active else None
