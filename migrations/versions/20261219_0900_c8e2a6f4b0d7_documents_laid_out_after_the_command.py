"""official documents laid out after the issuing command: the issued HTML and its issuer
are kept on the document, which has no attachment until its PDF is archived

Revision ID: c8e2a6f4b0d7
Revises: d4e8b2c6f0a3
Create Date: 2026-12-19 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'c8e2a6f4b0d7'
down_revision: Union[str, Sequence[str], None] = 'd4e8b2c6f0a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Documents issued before this revision are archived already: their HTML is not needed
    # again, and the attachment names who uploaded it.
    with op.batch_alter_table("official_document") as batch:
        batch.add_column(sa.Column("html", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("issued_by", sa.String(length=64), server_default="system", nullable=False))
        batch.alter_column("attachment_id", existing_type=sa.String(length=36), nullable=True)
    with op.batch_alter_table("official_document") as batch:
        batch.alter_column("html", server_default=None)
        batch.alter_column("issued_by", server_default=None)


def downgrade() -> None:
    # A document not yet laid out has no attachment to point at: lay it out before going back.
    with op.batch_alter_table("official_document") as batch:
        batch.alter_column("attachment_id", existing_type=sa.String(length=36), nullable=False)
        batch.drop_column("issued_by")
        batch.drop_column("html")
