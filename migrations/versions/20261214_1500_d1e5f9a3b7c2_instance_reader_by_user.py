"""instance_reader by user: the 抄送我的 box lists what was copied to a user, newest first

Revision ID: d1e5f9a3b7c2
Revises: c0c4b1d2e3f4
Create Date: 2026-12-14 15:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'd1e5f9a3b7c2'
down_revision: Union[str, Sequence[str], None] = 'c0c4b1d2e3f4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_instance_reader_user_granted", "instance_reader", ["user_id", "granted_at"])


def downgrade() -> None:
    op.drop_index("ix_instance_reader_user_granted", table_name="instance_reader")
