"""job definition state: a job definition suspended (its new jobs created suspended)

Revision ID: c4d6e8f0a2b5
Revises: b3c5d7e9f1a4
Create Date: 2026-12-22 12:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'c4d6e8f0a2b5'
down_revision: Union[str, Sequence[str], None] = 'b3c5d7e9f1a4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "job_definition_state",
        sa.Column("process_key", sa.String(100), primary_key=True),
        sa.Column("activity_id", sa.String(100), primary_key=True),
        sa.Column("job_type", sa.String(10), primary_key=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_definition_state")
