"""Fixtures: a fresh app per test on a real database (SQLite file, or DATABASE_URL's PostgreSQL)."""
from __future__ import annotations

import base64
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from app import create_app
from app.clock import Clock
from app.models import Base
from app.services import demo_data

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
# The real scrypt hash costs ~50 ms per check; every test app would pay it per user.
FAST_DEMO_HASH = generate_password_hash(demo_data.DEMO_PASSWORD, "pbkdf2:sha256:1000")


def _postgres_schema(url: str):
    """A fresh schema per test on PostgreSQL, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    return admin, schema, f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        admin, schema, scoped = _postgres_schema(url)
        yield scoped
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'ticflow.db'}"


@pytest.fixture
def clock():
    value = Clock()
    value.freeze(START)
    return value


@pytest.fixture
def instance_cache_size():
    return 256


def pytest_generate_tests(metafunc):
    """Tests marked `restored_and_cached` run twice: every command restoring the workflow
    from its JSON, and commands taking it from the instance cache."""
    if (metafunc.definition.get_closest_marker("restored_and_cached")
            and "instance_cache_size" in metafunc.fixturenames):
        metafunc.parametrize("instance_cache_size", [0, 256], ids=["restored", "cached"])


@pytest.fixture
def app(database_url, clock, instance_cache_size):
    app = create_app({"database_url": database_url, "secret_key": "test",
                      "instance_cache_size": instance_cache_size}, clock=clock)
    ctx = app.extensions["ticflow"]
    Base.metadata.create_all(ctx.db.engine)
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, FAST_DEMO_HASH)
    yield app
    ctx.db.dispose()


@pytest.fixture
def production_app(database_url, clock):
    """The app under production settings, on a database that holds demo users anyway (as a
    database copied from a test system would)."""
    app = create_app({"database_url": database_url, "environment": "production",
                      "secret_key": "s3cret"}, clock=clock)
    ctx = app.extensions["ticflow"]
    Base.metadata.create_all(ctx.db.engine)
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, FAST_DEMO_HASH)
    yield app
    ctx.db.dispose()


@pytest.fixture
def ctx(app):
    return app.extensions["ticflow"]


@pytest.fixture
def client(app):
    return app.test_client()


def basic(user: str, password: str = "demo") -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Rest:
    """A REST client acting as one demo user."""

    def __init__(self, client, user: str):
        self.client = client
        self.headers = basic(user)

    def get(self, path, **kw):
        return self.client.get(f"/engine-rest{path}", headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/engine-rest{path}", headers=self.headers, json=json, **kw)

    def put(self, path, json=None):
        return self.client.put(f"/engine-rest{path}", headers=self.headers, json=json)

    def delete(self, path):
        return self.client.delete(f"/engine-rest{path}", headers=self.headers)


@pytest.fixture
def rest(client):
    return lambda user: Rest(client, user)
