"""a user task's activity takes its assignee from its task's history row: the copy on
historic_activity, never written, goes

Revision ID: b4d6f8a0c2e5
Revises: a9c3e5f7b1d2
Create Date: 2026-12-20 10:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'b4d6f8a0c2e5'
down_revision: Union[str, Sequence[str], None] = 'a9c3e5f7b1d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("historic_activity") as batch:
        batch.drop_column("assignee")


def downgrade() -> None:
    with op.batch_alter_table("historic_activity") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
