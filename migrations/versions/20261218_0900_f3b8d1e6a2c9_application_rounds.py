"""application rounds (申报批次) and their 公示: rounds, publicity notices and objections

Revision ID: f3b8d1e6a2c9
Revises: a7c3e9f1b5d2
Create Date: 2026-12-18 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'f3b8d1e6a2c9'
down_revision: Union[str, Sequence[str], None] = 'a7c3e9f1b5d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "application_round",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("closed_at", app.models.base.UtcDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("updated_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_round")),
    )
    op.create_table(
        "round_application",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.String(length=20), nullable=False),
        sa.Column("joined_at", app.models.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["application_round.id"],
                                name=op.f("fk_round_application_round_id_application_round")),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_round_application")),
    )
    op.create_index("ix_round_application_round", "round_application", ["round_id", "joined_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_round_application_round", table_name="round_application")
    op.drop_table("round_application")
    op.drop_table("application_round")
