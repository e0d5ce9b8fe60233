"""How the tests build an app: the instant its clock is frozen at, a cheap hash of the demo
password, and the settings every test app shares."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask
from werkzeug.security import generate_password_hash

from app import context_of, create_app
from app.clock import Clock
from app.tic import demo_data
from tests.support import handlers

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
# The real scrypt hash costs ~50 ms per check; every sign-in of a test would pay it.
FAST_DEMO_HASH = generate_password_hash(demo_data.DEMO_PASSWORD, "pbkdf2:sha256:1000")


def frozen_clock() -> Clock:
    clock = Clock()
    clock.freeze(START)
    return clock


def build_app(database_url: str, clock: Clock, **settings) -> Flask:
    app = create_app({"database_url": database_url, "secret_key": "test", **settings}, clock=clock)
    context_of(app).handlers.register_modules([handlers])
    return app
