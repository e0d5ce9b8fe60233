"""job log: each job's creation, failures, success or deletion (Camunda's historic job log)

Revision ID: a2b4c6d8e0f3
Revises: f1a3c5e7b9d2
Create Date: 2026-12-22 10:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'a2b4c6d8e0f3'
down_revision: Union[str, Sequence[str], None] = 'f1a3c5e7b9d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "job_log",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("job_type", sa.String(10), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("exception_message", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.String(100), nullable=False),
        sa.Column("execution_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("definition_id", sa.String(120), nullable=False),
        sa.Column("process_key", sa.String(100), nullable=False),
        sa.Column("hostname", sa.String(100), nullable=True),
    )
    op.create_index("ix_job_log_instance", "job_log", ["instance_id", "occurred_at"])
    op.create_index("ix_job_log_job", "job_log", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_job_log_job", "job_log")
    op.drop_index("ix_job_log_instance", "job_log")
    op.drop_table("job_log")
