"""cockpit indexes at 100,000 instances: badges and list filters read from indexes alone

With 100,000 instances and 1,000,000 history rows (`make bench`), the cockpit's badges
looked up every open activity row of a process in the table (the index lacked the instance
and the type), and the instance list sorted a whole process's or state's instances for one
page. Now:
- the open activity rows (end_time NULL) have an index of their own holding every column
  the badges read; it replaces the index that also held every closed row;
- the list's process and state filters have an index in the list's order (start time);
- the overdue filter and badge read the instance from the task's due-date indexes.

Revision ID: e1ee66155109
Revises: 23e11eaf0ad0
Create Date: 2026-12-15 10:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'e1ee66155109'
down_revision: Union[str, Sequence[str], None] = '23e11eaf0ad0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("end_time IS NULL")
OPEN_ACTIVITY_COLUMNS = ["definition_id", "activity_id", "instance_id", "activity_type", "end_time"]


def upgrade() -> None:
    op.drop_index("ix_historic_activity_definition_open", table_name="historic_activity")
    op.create_index("ix_historic_activity_open", "historic_activity", OPEN_ACTIVITY_COLUMNS,
                    unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_process_instance_key_start", "process_instance", ["process_key", "start_time"], unique=False)
    op.create_index("ix_process_instance_state_start", "process_instance", ["state", "start_time"], unique=False)
    _replace("task", "ix_task_due", ["due_at", "instance_id"])
    _replace("task", "ix_task_definition_key_due", ["definition_id", "task_key", "due_at", "instance_id"])


def downgrade() -> None:
    _replace("task", "ix_task_definition_key_due", ["definition_id", "task_key", "due_at"])
    _replace("task", "ix_task_due", ["due_at"])
    op.drop_index("ix_process_instance_state_start", table_name="process_instance")
    op.drop_index("ix_process_instance_key_start", table_name="process_instance")
    op.drop_index("ix_historic_activity_open", table_name="historic_activity")
    op.create_index("ix_historic_activity_definition_open", "historic_activity",
                    ["definition_id", "end_time", "activity_id"], unique=False)


def _replace(table: str, name: str, columns: list[str]) -> None:
    op.drop_index(name, table_name=table)
    op.create_index(name, table, columns, unique=False)
