"""A user task's local variables (Camunda's task-local scope)

Revision ID: a7c3e9f1b5d2
Revises: a3c7e1f9b2d4
Create Date: 2026-12-18 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'a7c3e9f1b5d2'
down_revision: Union[str, Sequence[str], None] = 'a3c7e1f9b2d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "task_local_variable",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("declared_json", sa.Text(), nullable=True),
        sa.Column("updated_at", app.models.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("task_local_variable")
