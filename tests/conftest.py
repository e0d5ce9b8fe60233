"""Fixtures: a fresh app per test on a real database (SQLite file, or DATABASE_URL's
PostgreSQL), copied from a template built once per session (tests/support/database.py)."""
from __future__ import annotations

import os

import pytest

from tests.support.apps import build_app, frozen_clock
from tests.support.clients import Rest
from tests.support.database import databases
from tests.support.establishment import deploy_models
from tests.support.web import WebUser

# A test using one of these gets the template's copy (schema and demo users); any other
# test asking for `database_url` gets an empty database.
APP_FIXTURES = frozenset({"app", "production_app"})


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory):
    found = databases(os.environ.get("DATABASE_URL", ""), tmp_path_factory.mktemp("template"))
    yield found
    found.close()


@pytest.fixture
def database_url(request, session_databases, tmp_path):
    url = session_databases.new(tmp_path, filled=not APP_FIXTURES.isdisjoint(request.fixturenames))
    yield url
    session_databases.drop(url)


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


def pytest_collection_modifyitems(items):
    """Tests marked `postgres` are about PostgreSQL itself: on SQLite they are skipped."""
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: DATABASE_URL=postgresql+psycopg://...")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def app(database_url, clock, instance_cache_size):
    app = build_app(database_url, clock, instance_cache_size=instance_cache_size)
    yield app
    app.extensions["ticflow"].db.dispose()


@pytest.fixture
def production_app(database_url, clock):
    """The app under production settings, on a database that holds demo users anyway (as a
    database copied from a test system would)."""
    app = build_app(database_url, clock, environment="production", secret_key="s3cret")
    yield app
    app.extensions["ticflow"].db.dispose()


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
