"""Signed-in browsers, kept on the server. The signed cookie carries a random token; each
page request finds its session by the token's digest, so a sign-out, a deactivation or a
password change ends it everywhere, and a session idle for too long ends by itself."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import UserSession

from app.core import audit, passwords
from app.core.context import AppContext
from app.core.identity import UserState, user_state

# Last-seen is written at most this often: no write on every page request.
TOUCH_INTERVAL = timedelta(minutes=1)
# Sessions unused for this long are deleted when their user signs in again.
FORGET_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class Resumed:
    """The user of a live session, or none (and whether it has just timed out)."""

    state: UserState | None = None
    expired: bool = False
    # The user must set a new password before anything else (app/core/passwords.py).
    must_change_password: bool = False


def start(ctx: AppContext, session: Session, user_id: str, source: str | None) -> str:
    """A new session for a user who has just signed in; returns the token for the cookie."""
    now = ctx.now()
    session.execute(delete(UserSession).where(
        UserSession.user_id == user_id, UserSession.last_seen_at < now - FORGET_AFTER))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(token), user_id=user_id, created_at=now,
                            last_seen_at=now, source=source))
    return token


def resume(ctx: AppContext, token: str, source: str | None) -> Resumed:
    """The session behind a cookie's token, if it is live and its user still active."""
    key, now = _digest(token), ctx.now()
    with ctx.db.read() as session:
        row = session.get(UserSession, key)
        state = user_state(connection_of(session), row.user_id) if row is not None else None
    if row is None or row.ended_at is not None or state is None or not state.active:
        return Resumed()
    idle = now - row.last_seen_at
    if idle > timedelta(minutes=ctx.settings.session_idle_minutes):
        with ctx.db.command() as session:
            if _end(session, UserSession.id == key, now, "idle"):
                audit.record(ctx, session, "session.expire", user_id=row.user_id, source=source,
                             details={"idleMinutes": ctx.settings.session_idle_minutes})
        return Resumed(expired=True)
    if idle >= TOUCH_INTERVAL:
        with ctx.db.command() as session:
            session.execute(update(UserSession)
                            .where(UserSession.id == key, UserSession.ended_at.is_(None))
                            .values(last_seen_at=now))
    return Resumed(state=state, must_change_password=passwords.change_due(
        state, now, ctx.settings.password_max_age_days))


def sign_out(ctx: AppContext, session: Session, token: str, source: str | None) -> None:
    """End a browser's session (sign-out, or signing in again) and audit it if it was live."""
    key = _digest(token)
    row = session.get(UserSession, key)
    if row is not None and _end(session, UserSession.id == key, ctx.now(), "logout"):
        audit.record(ctx, session, "logout", user_id=row.user_id, source=source)


def end_all(ctx: AppContext, session: Session, user_id: str, reason: str,
            keep_token: str | None = None) -> int:
    """End every live session of a user (but `keep_token`'s); returns how many."""
    condition = UserSession.user_id == user_id
    if keep_token is not None:
        condition = condition & (UserSession.id != _digest(keep_token))
    return _end(session, condition, ctx.now(), reason)


def _end(session: Session, condition, now, reason: str) -> int:
    return session.execute(
        update(UserSession).where(condition, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
