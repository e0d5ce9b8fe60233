"""The Alembic revisions build exactly the schema the models describe, on either database."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from app.cli import migrate
from app.models import Base


def test_upgrading_to_head_leaves_nothing_for_autogenerate_to_add(database_url):
    migrate(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_twice_is_harmless(database_url):
    migrate(database_url)
    migrate(database_url)
