"""password policy: app_user.must_change_password, app_user.password_changed_at

Existing users count their password age from this migration.

Revision ID: e6f0a4b3c1d5
Revises: d5e9f3a2b0c4
Create Date: 2026-12-06 13:20:00+08:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import app.models.base

revision: str = 'e6f0a4b3c1d5'
down_revision: Union[str, Sequence[str], None] = 'd5e9f3a2b0c4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', app.models.base.UtcDateTime(), nullable=True))
    # Stored as naive UTC, like every UtcDateTime.
    now_utc = ("now() AT TIME ZONE 'UTC'" if op.get_bind().dialect.name == "postgresql"
               else "CURRENT_TIMESTAMP")
    op.execute(f"UPDATE app_user SET password_changed_at = {now_utc}")


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
