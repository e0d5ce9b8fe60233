"""Who calls the JSON under /api: HTTP Basic, as under /engine-rest, or the browser session
signed in on the pages (DOMAIN.md: the pages' own scripts and a manager's browser read it).

Basic stays cookie-less: a request that carries an Authorization header is never given a
session. A session-authenticated write must send the session's CSRF token in the
`X-CSRF-Token` header: the cookie alone travels with any request a browser makes, so it
cannot prove that this site's page sent it.
"""
from __future__ import annotations

from flask import g, request

from app.core.errors import Forbidden, Unauthorized
from app.core.login_guard import CHANGE_FIRST

from . import auth
from .auth import csrf
from .basic_auth import require_basic_auth

# Methods that change nothing: no token needed to read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cookie_less(path: str, headers) -> bool:
    """No cookie session for this request: /engine-rest (Basic only), and an /api request
    that authenticates itself with an Authorization header."""
    return path.startswith("/engine-rest/") or (path.startswith("/api/") and "Authorization" in headers)


def uses_basic() -> bool:
    return "Authorization" in request.headers


def authenticate() -> None:
    """before_request of every /api blueprint: the actor from Basic, else from the session."""
    if uses_basic():
        require_basic_auth()
        return
    actor = auth.current_actor()
    if actor is None:
        raise Unauthorized("需要登录（登录会话或 HTTP Basic）/ authentication required")
    if g.must_change_password:
        raise Forbidden(CHANGE_FIRST)
    if request.method not in SAFE_METHODS and not csrf.header_matches():
        raise Forbidden("缺少或错误的 CSRF 令牌（X-CSRF-Token）/ missing or wrong CSRF token")
    g.actor = actor
