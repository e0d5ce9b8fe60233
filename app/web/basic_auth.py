"""HTTP Basic on every API call (/engine-rest always, /api when the caller sends it), through
the one throttle of every sign-in path."""
from __future__ import annotations

import base64
import binascii

from flask import g, request

from app.core import login_guard
from app.core.errors import Unauthorized

from .current import context


def require_basic_auth() -> None:
    """before_request: the actor of the request's Basic credentials, or 401."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        raise Unauthorized("需要登录（HTTP Basic）/ authentication required")
    try:
        username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise Unauthorized("认证信息格式错误 / malformed credentials") from error
    g.actor = login_guard.basic_sign_in(context(), username, password, request.remote_addr)
