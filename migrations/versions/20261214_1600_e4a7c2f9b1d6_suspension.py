"""suspension: an administrator suspends a running instance; its tasks and jobs wait with it

Revision ID: e4a7c2f9b1d6
Revises: d1e5f9a3b7c2
Create Date: 2026-12-14 16:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'e4a7c2f9b1d6'
down_revision: Union[str, Sequence[str], None] = 'd1e5f9a3b7c2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("process_instance", "task", "job")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("suspended", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("suspended")
