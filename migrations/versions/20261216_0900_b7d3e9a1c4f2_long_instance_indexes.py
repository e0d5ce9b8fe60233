"""long-lived instances: who handled a step last is read from an index

A step that comes round again goes back to whoever handled it last in the case
(app/platform/assignment.py); that was found by reading every earlier round of the step,
so each round of a long loop cost more than the one before. The index gives the last one.

Revision ID: b7d3e9a1c4f2
Revises: e1ee66155109
Create Date: 2026-12-16 09:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'b7d3e9a1c4f2'
down_revision: Union[str, Sequence[str], None] = 'e1ee66155109'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_historic_task_instance_key_end", "historic_task",
                    ["instance_id", "task_key", "end_time"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_historic_task_instance_key_end", table_name="historic_task")
