"""drop indexes no query uses: task.owner_org, historic_activity.activity_id

Every task and activity write paid for them; nothing filters or sorts on either column
alone (the inbox shows the owner organization, activities are read per instance).

Revision ID: b7e41c9d2a10
Revises: 8cc2d8027237
Create Date: 2026-11-29 23:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'b7e41c9d2a10'
down_revision: Union[str, Sequence[str], None] = '8cc2d8027237'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_owner_org')
    with op.batch_alter_table('historic_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_historic_activity_activity_id')


def downgrade() -> None:
    with op.batch_alter_table('historic_activity', schema=None) as batch_op:
        batch_op.create_index('ix_historic_activity_activity_id', ['activity_id'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_owner_org', ['owner_org'], unique=False)
