"""the expert pool: experts as records, and each random draw of a panel with its seed

Revision ID: e5a1c9d3b7f2
Revises: c2f8a4e6d0b1
Create Date: 2026-12-17 12:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'e5a1c9d3b7f2'
down_revision: Union[str, Sequence[str], None] = 'c2f8a4e6d0b1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "expert_profile",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("in_region", sa.Boolean(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("in_pool", sa.Boolean(), nullable=False),
        sa.Column("affiliations_json", sa.Text(), nullable=False),
        sa.Column("updated_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "expert_draw",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("candidates_json", sa.Text(), nullable=False),
        sa.Column("excluded_json", sa.Text(), nullable=False),
        sa.Column("chosen_json", sa.Text(), nullable=False),
        sa.Column("drawn_by", sa.String(length=64), nullable=False),
        sa.Column("drawn_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_expert_draw_instance", "expert_draw", ["instance_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_expert_draw_instance", table_name="expert_draw")
    op.drop_table("expert_draw")
    op.drop_table("expert_profile")
