"""Sign-in for the web pages, with a lockout: five wrong passwords for one user name within
15 minutes lock that name for 15 minutes. The count lives in the database, so every web
worker (and every host) sees the same one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import LoginThrottle

from .context import AppContext
from .errors import Unauthorized
from .identity import Actor, CredentialCache, authenticate

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
MAX_USERNAME = 64


@dataclass(frozen=True)
class SignIn:
    """The outcome: an actor, or why not (locked until, or wrong with tries left)."""

    actor: Actor | None = None
    locked_until: datetime | None = None
    failures_left: int = 0


def sign_in(ctx: AppContext, session: Session, username: str, password: str) -> SignIn:
    """Check a password unless the name is locked; count the failure or clear the count.

    Run it in a command: the failure must be committed even though the sign-in fails.
    """
    username = username.strip()[:MAX_USERNAME]
    now = ctx.now()
    row = _throttle(session, username)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return SignIn(locked_until=row.locked_until)
    cache = ctx.caches.setdefault("credentials", CredentialCache())
    try:
        actor = authenticate(session, cache, username, password,
                             allow_demo=not ctx.settings.production)
    except Unauthorized:
        return _count_failure(session, row, username, now)
    if row is not None:
        session.delete(row)
    return SignIn(actor=actor)


def _throttle(session: Session, username: str) -> LoginThrottle | None:
    return session.scalar(
        select(LoginThrottle).where(LoginThrottle.username == username).with_for_update()
    )


def _count_failure(session: Session, row: LoginThrottle | None, username: str,
                   now: datetime) -> SignIn:
    if row is None:
        row = _insert(session, username, now)
    if row.window_started_at + WINDOW <= now or row.locked_until is not None:
        # The window (or an earlier lock) is over: this failure starts a new count.
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK
        session.flush()
        return SignIn(locked_until=row.locked_until)
    session.flush()
    return SignIn(failures_left=MAX_FAILURES - row.failures)


def _insert(session: Session, username: str, now: datetime) -> LoginThrottle:
    """A new count, or the one another worker inserted at the same moment."""
    row = LoginThrottle(username=username, failures=0, window_started_at=now, locked_until=None)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = _throttle(session, username)
    return row
