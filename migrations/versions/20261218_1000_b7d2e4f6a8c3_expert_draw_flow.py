"""the draw on assign_experts: redraw and replacement requests a leader decides, experts who
decline a review, the panel's draw or manual reason, and each review's scoring sheet

Revision ID: b7d2e4f6a8c3
Revises: f3b8d1e6a2c9
Create Date: 2026-12-18 10:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'b7d2e4f6a8c3'
down_revision: Union[str, Sequence[str], None] = 'f3b8d1e6a2c9'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("expert_draw") as batch:
        batch.add_column(sa.Column("task_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("purpose", sa.String(length=20), server_default="draw", nullable=False))
        batch.add_column(sa.Column("replaced", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("panel_json", sa.Text(), nullable=True))
    with op.batch_alter_table("expert_panel") as batch:
        batch.add_column(sa.Column("draw_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("manual_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("applicant_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("round_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("expert_review") as batch:
        batch.add_column(sa.Column("criteria_json", sa.Text(), nullable=True))
    op.create_table(
        "expert_draw_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("expert", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", app.models.base.UtcDateTime(), nullable=True),
        sa.Column("used_by_draw", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_expert_draw_request_instance", "expert_draw_request", ["instance_id", "id"], unique=False)
    op.create_table(
        "expert_decline",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("expert", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("applicant_key", sa.String(length=64), nullable=True),
        sa.Column("round_key", sa.String(length=64), nullable=True),
        sa.Column("replacement", sa.String(length=64), nullable=True),
        sa.Column("declined_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_expert_decline_applicant_round", "expert_decline", ["applicant_key", "round_key"],
                    unique=False)
    op.create_index("ix_expert_decline_instance_id", "expert_decline", ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_expert_decline_instance_id", table_name="expert_decline")
    op.drop_index("ix_expert_decline_applicant_round", table_name="expert_decline")
    op.drop_table("expert_decline")
    op.drop_index("ix_expert_draw_request_instance", table_name="expert_draw_request")
    op.drop_table("expert_draw_request")
    with op.batch_alter_table("expert_review") as batch:
        batch.drop_column("criteria_json")
    with op.batch_alter_table("expert_panel") as batch:
        for name in ("round_key", "applicant_key", "manual_reason", "draw_id"):
            batch.drop_column(name)
    with op.batch_alter_table("expert_draw") as batch:
        for name in ("panel_json", "request_id", "replaced", "purpose", "task_id"):
            batch.drop_column(name)
