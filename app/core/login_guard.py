"""One throttle for every way of signing in: the sign-in page, HTTP Basic on /engine-rest and
/api, and the current password asked on the password page. Five wrong passwords for one
user name within 15 minutes lock that name for 15 minutes on every path, even for the right
password. The count lives in the database, so every web worker (and every host) sees the
same one. Failures, locks and page sign-ins go to the audit log.

A failure says only "wrong user name or password", whatever the reason (unknown name,
deactivated account, demo account in production), and takes as long as a real check."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import to_shanghai
from app.db import connection_of
from app.models import LoginThrottle

from app.core import audit, passwords
from app.core.context import AppContext
from app.core.errors import Forbidden, ServiceError, Unauthorized
from app.core.identity import Actor, CredentialCache, UserState, spend_a_password_check, user_state
from app.core.user_states import user_states

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
MAX_USERNAME = 64
WRONG = "用户名或密码错误 / unknown user or wrong password"
CHANGE_FIRST = ("密码须先修改：请登录网页，在 /account/password 修改密码后再使用接口 / change your "
                "password on the web page (/account/password) before using the API")


class AccountLocked(ServiceError):
    """Too many failures for this name: refused until the lock ends (HTTP 429)."""

    status = 429
    error_type = "AuthenticationException"

    def __init__(self, until: datetime, now: datetime):
        local = to_shanghai(until).strftime("%H:%M")
        super().__init__(f"登录失败次数过多，账号已锁定，请于 {local} 后再试 / too many failed "
                         f"sign-ins: the account is locked until {local} (UTC+8)")
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))


@dataclass(frozen=True)
class SignIn:
    """The outcome: the user, or why not (locked until, or wrong with tries left)."""

    state: UserState | None = None
    locked_until: datetime | None = None
    failures_left: int = 0
    # Signed in, but must set a new password before anything else (app/core/passwords.py).
    must_change_password: bool = False

    @property
    def actor(self) -> Actor | None:
        return self.state.actor if self.state is not None else None


def credential_cache(ctx: AppContext) -> CredentialCache:
    return ctx.caches.setdefault("credentials", CredentialCache())


def normalized(username: str) -> str:
    return username.strip()[:MAX_USERNAME]


def sign_in(ctx: AppContext, session: Session, username: str, password: str,
            source: str | None, channel: str = "web") -> SignIn:
    """Check a password unless the name is locked; count the failure or clear the count.

    Run it in a command: the failure must be committed even though the sign-in fails.
    """
    username = normalized(username)
    now = ctx.now()
    row = _throttle(session, username)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        _audit_failure(ctx, session, username, source, channel, "locked")
        return SignIn(locked_until=row.locked_until)
    state = user_state(connection_of(session), username)
    if not _password_matches(ctx, state, username, password):
        outcome = _count_failure(session, row, username, now)
        _audit_failure(ctx, session, username, source, channel, "wrong")
        if outcome.locked_until is not None:
            audit.record(ctx, session, "login.lock", user_id=username, success=False,
                         source=source, details={"until": outcome.locked_until.isoformat()})
        return outcome
    if row is not None:
        session.delete(row)
    if channel == "web":
        audit.record(ctx, session, "login", user_id=username, source=source,
                     details={"channel": channel})
    return SignIn(state=state, must_change_password=passwords.change_due(
        state, now, ctx.settings.password_max_age_days))


def verify(ctx: AppContext, session: Session, actor: Actor, username: str, password: str) -> bool:
    """Whether `password` is `username`'s (Camunda's identity verify), counted and locked as
    every sign-in is. A caller verifies their own name only: anyone else's would let one
    user guess, or lock out, another. Run it in a command, like `sign_in`."""
    if normalized(username) != actor.id:
        raise Forbidden("只能验证自己的账号 / you may verify your own credentials only")
    return sign_in(ctx, session, username, password, actor.source, channel="verify").state is not None


def unlock(session: Session, username: str) -> bool:
    """End the lock (and the count of failures) of a user name; whether it was locked."""
    row = _throttle(session, normalized(username))
    if row is None:
        return False
    session.delete(row)
    return row.locked_until is not None


def basic_sign_in(ctx: AppContext, username: str, password: str, source: str | None) -> Actor:
    """The actor behind HTTP Basic credentials, on every API request.

    The usual case costs one query by primary key, or none on PostgreSQL while the user's
    state is kept (`user_states`), and no password hash: credentials checked a moment ago
    against the user's current hash, an active account, no lock. Anything else
    goes through `sign_in`, which counts and audits a failure. A user who must change their
    password is refused until they have, on the web page."""
    username = normalized(username)
    state = user_states(ctx).read(username)
    now = ctx.now()
    if not (state is not None and state.active and not state.locked(now)
            and not (state.is_demo and ctx.settings.production)
            and credential_cache(ctx).verified(CredentialCache.key(username, password),
                                               state.password_hash)):
        with ctx.db.command() as session:
            outcome = sign_in(ctx, session, username, password, source, channel="basic")
        if outcome.locked_until is not None:
            raise AccountLocked(outcome.locked_until, now)
        if outcome.state is None:
            raise Unauthorized(WRONG)
        state = outcome.state
    if passwords.change_due(state, now, ctx.settings.password_max_age_days):
        raise Forbidden(CHANGE_FIRST)
    return replace(state.actor, source=source)


def _password_matches(ctx: AppContext, state: UserState | None, username: str,
                      password: str) -> bool:
    if state is None or not state.active or (state.is_demo and ctx.settings.production):
        spend_a_password_check(password)
        return False
    return credential_cache(ctx).check(username, password, state.password_hash)


def _audit_failure(ctx: AppContext, session: Session, username: str, source: str | None,
                   channel: str, reason: str) -> None:
    audit.record(ctx, session, "login", user_id=username, success=False, source=source,
                 details={"channel": channel, "reason": reason})


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
