"""official documents: issued documents with their numbers, the numbering counter, the
templates administrators edited, and attachments only department staff may see

Revision ID: f3b6d2a8c1e4
Revises: b7d2e4f6a8c3
Create Date: 2026-12-18 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = 'f3b6d2a8c1e4'
down_revision: Union[str, Sequence[str], None] = 'b7d2e4f6a8c3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "document_counter",
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_document_counter")),
    )
    op.create_table(
        "official_document",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=False),
        sa.Column("department_only", sa.Boolean(), nullable=False),
        sa.Column("signers_json", sa.Text(), nullable=False),
        sa.Column("issued_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_document")),
        sa.UniqueConstraint("attachment_id", name=op.f("uq_official_document_attachment_id")),
        sa.UniqueConstraint("prefix", "year", "sequence", name=op.f("uq_official_document_prefix")),
    )
    op.create_index("ix_official_document_instance", "official_document", ["instance_id", "issued_at"])
    op.create_table(
        "document_template",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", app.models.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_document_template")),
    )
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("department_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_column("department_only")
    op.drop_table("document_template")
    op.drop_index("ix_official_document_instance", table_name="official_document")
    op.drop_table("official_document")
    op.drop_table("document_counter")
