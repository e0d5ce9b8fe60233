"""external task log: each external task's creation, failures, success or deletion
(Camunda's historic external task log)

Revision ID: f1a3c5e7b9d2
Revises: d8f2b4c6a0e1
Create Date: 2026-12-22 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'f1a3c5e7b9d2'
down_revision: Union[str, Sequence[str], None] = 'd8f2b4c6a0e1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "external_task_log",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("external_task_id", sa.String(36), nullable=False),
        sa.Column("topic_name", sa.String(200), nullable=False),
        sa.Column("worker_id", sa.String(200), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.String(666), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.String(100), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("definition_id", sa.String(120), nullable=False),
        sa.Column("process_key", sa.String(100), nullable=False),
    )
    op.create_index("ix_external_task_log_instance", "external_task_log", ["instance_id", "occurred_at"])
    op.create_index("ix_external_task_log_task", "external_task_log", ["external_task_id"])


def downgrade() -> None:
    op.drop_index("ix_external_task_log_task", "external_task_log")
    op.drop_index("ix_external_task_log_instance", "external_task_log")
    op.drop_table("external_task_log")
