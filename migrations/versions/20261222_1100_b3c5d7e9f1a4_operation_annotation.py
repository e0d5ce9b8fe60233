"""operation annotations: an operator's note on an entry of the user operation log

Revision ID: b3c5d7e9f1a4
Revises: a2b4c6d8e0f3
Create Date: 2026-12-22 11:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'b3c5d7e9f1a4'
down_revision: Union[str, Sequence[str], None] = 'a2b4c6d8e0f3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "operation_annotation",
        sa.Column("operation_id", sa.String(40), primary_key=True),
        sa.Column("annotation", sa.Text(), nullable=False),
        sa.Column("annotated_by", sa.String(64), nullable=False),
        sa.Column("annotated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("operation_annotation")
