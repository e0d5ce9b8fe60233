"""task_draft.task_id refers to task.id (ON DELETE CASCADE)

A draft lives as long as its open task. Drafts left behind by tasks that already ended
(the REST complete, withdrawals and timers never removed them) are dropped first.

Revision ID: f7a2c5d9e1b3
Revises: e6f0a4b3c1d5
Create Date: 2026-12-13 10:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'f7a2c5d9e1b3'
down_revision: Union[str, Sequence[str], None] = 'e6f0a4b3c1d5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("DELETE FROM task_draft WHERE task_id NOT IN (SELECT id FROM task)")
    with op.batch_alter_table('task_draft', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_task_draft_task_id_task'), 'task', ['task_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('task_draft', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_draft_task_id_task'), type_='foreignkey')
