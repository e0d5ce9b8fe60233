"""Fixtures: a fresh app per test on a real database (SQLite file, or DATABASE_URL's PostgreSQL)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from app.models import Base
from app.services import demo_data
from tests.support.apps import FAST_DEMO_HASH, build_app, frozen_clock
from tests.support.clients import Rest
from tests.support.establishment import deploy_models
from tests.support.web import WebUser


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
    return frozen_clock()


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
    app = build_app(database_url, clock, instance_cache_size=instance_cache_size)
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
    app = build_app(database_url, clock, environment="production", secret_key="s3cret")
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


@pytest.fixture
def rest(client):
    return lambda user: Rest(client, user)


@pytest.fixture
def web(app):
    """A browser of the pages with its own cookies: `web()` anonymous, `web("cotton")` signed in."""

    def open_as(user: str | None = None) -> WebUser:
        browser = WebUser(app.test_client())
        if user:
            assert browser.login(user).status_code == 302
        return browser

    return open_as


@pytest.fixture
def project_models(ctx):
    """The project's bpmn/ and forms/ deployed, as `flask setup` does."""
    deploy_models(ctx)
