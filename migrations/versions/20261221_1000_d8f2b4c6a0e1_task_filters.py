"""task filters: saved task queries, each its owner's or shared (Camunda's filters)

Revision ID: d8f2b4c6a0e1
Revises: c5e7a9b1d3f6
Create Date: 2026-12-21 10:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'd8f2b4c6a0e1'
down_revision: Union[str, Sequence[str], None] = 'c5e7a9b1d3f6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "task_filter",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("resource_type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("query_json", sa.Text(), nullable=False),
        sa.Column("properties_json", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_task_filter_owner", "task_filter", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_task_filter_owner", "task_filter")
    op.drop_table("task_filter")
