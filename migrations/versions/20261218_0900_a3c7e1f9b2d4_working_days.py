"""working days: the holiday and 调休 calendar, the 催办 ladder's sent rungs, a task's
weekends-only due date

Revision ID: a3c7e1f9b2d4
Revises: e5a1c9d3b7f2
Create Date: 2026-12-18 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'a3c7e1f9b2d4'
down_revision: Union[str, Sequence[str], None] = 'e5a1c9d3b7f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("updated_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "deadline_notice",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("rung", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_key", sa.String(length=100), nullable=False),
        sa.Column("sent_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "rung", name=op.f("pk_deadline_notice")),
    )
    op.create_index("ix_deadline_notice_instance", "deadline_notice", ["instance_id"])
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("due_weekends_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("due_weekends_only")
    op.drop_index("ix_deadline_notice_instance", table_name="deadline_notice")
    op.drop_table("deadline_notice")
    op.drop_table("calendar_day")
