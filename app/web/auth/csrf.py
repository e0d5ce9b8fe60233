"""CSRF protection: a random token per session, sent back in a hidden field of every form."""
from __future__ import annotations

import hmac
import secrets

from flask import request, session
from werkzeug.exceptions import BadRequest

FIELD = "csrf_token"
# The header that carries the token on a script's request (the JSON under /api).
HEADER = "X-CSRF-Token"


class CsrfRefused(BadRequest):
    """A POST without the session's token: possibly forged by another site."""


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def renew() -> None:
    """A fresh token at sign-in and sign-out, so that a token seen before is worthless."""
    session["csrf"] = secrets.token_urlsafe(32)


def protect() -> None:
    """Refuse a POST whose hidden token does not match the session's (before_request)."""
    if request.method != "POST":
        return
    sent = request.form.get(FIELD, "")
    expected = session.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


def header_matches() -> bool:
    """The request's `X-CSRF-Token` header is the session's token."""
    sent = request.headers.get(HEADER, "")
    expected = session.get("csrf", "")
    return bool(sent and expected and hmac.compare_digest(sent, expected))
