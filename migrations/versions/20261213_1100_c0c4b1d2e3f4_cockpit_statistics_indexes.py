"""cockpit statistics indexes: counts per definition, state and activity by aggregate SQL

The cockpit (流程监控) counts instances per definition and state, open activities, overdue
tasks and open incidents per activity, and withdrawn cases by their history event, all
with GROUP BY over these indexes rather than loading any workflow.

Revision ID: c0c4b1d2e3f4
Revises: f7a2c5d9e1b3
Create Date: 2026-12-13 11:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'c0c4b1d2e3f4'
down_revision: Union[str, Sequence[str], None] = 'f7a2c5d9e1b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ("ix_process_instance_definition_state", "process_instance", ["definition_id", "state"]),
    ("ix_process_instance_start", "process_instance", ["start_time"]),
    ("ix_historic_activity_definition_open", "historic_activity", ["definition_id", "end_time", "activity_id"]),
    ("ix_task_definition_key_due", "task", ["definition_id", "task_key", "due_at"]),
    ("ix_incident_definition_open", "incident", ["definition_id", "resolved_at", "activity_id"]),
    ("ix_history_event_type_instance", "history_event", ["event_type", "instance_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
