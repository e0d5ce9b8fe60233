"""公示 of approved applications (拟批准) and the objections to them

Revision ID: d4e8b2c6f0a3
Revises: f3b6d2a8c1e4
Create Date: 2026-12-18 14:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'd4e8b2c6f0a3'
down_revision: Union[str, Sequence[str], None] = 'f3b6d2a8c1e4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "publicity",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("business_key", sa.String(length=255), nullable=True),
        sa.Column("round_id", sa.String(length=20), nullable=True),
        sa.Column("center_name", sa.String(length=200), nullable=False),
        sa.Column("lead_unit", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("starts_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("ends_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", app.models.base.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["application_round.id"],
                                name=op.f("fk_publicity_round_id_application_round")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity")),
    )
    op.create_index("ix_publicity_round", "publicity", ["round_id", "starts_at"], unique=False)
    op.create_index(op.f("ix_publicity_instance_id"), "publicity", ["instance_id"], unique=False)
    op.create_table(
        "publicity_objection",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("publicity_id", sa.Integer(), nullable=False),
        sa.Column("objector_name", sa.String(length=50), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", app.models.base.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", app.models.base.UtcDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["publicity_id"], ["publicity.id"],
                                name=op.f("fk_publicity_objection_publicity_id_publicity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity_objection")),
    )
    op.create_index(op.f("ix_publicity_objection_publicity_id"), "publicity_objection", ["publicity_id"],
                    unique=False)
    op.create_index("ix_publicity_objection_source", "publicity_objection", ["source", "submitted_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_publicity_objection_source", table_name="publicity_objection")
    op.drop_index(op.f("ix_publicity_objection_publicity_id"), table_name="publicity_objection")
    op.drop_table("publicity_objection")
    op.drop_index(op.f("ix_publicity_instance_id"), table_name="publicity")
    op.drop_index("ix_publicity_round", table_name="publicity")
    op.drop_table("publicity")
