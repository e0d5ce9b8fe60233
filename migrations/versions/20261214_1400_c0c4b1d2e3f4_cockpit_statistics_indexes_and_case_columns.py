"""cockpit statistics indexes and case columns: counts by aggregate SQL, filters by unit

The cockpit (流程监控) counts instances per definition and state, open activities, overdue
tasks and open incidents per activity, and withdrawn cases by their history event, all
with GROUP BY over these indexes rather than loading any workflow. Its instance list
filters by the applying and the supervising unit: two columns of process_instance, filled
here from each instance's variables as `permissions.case_of` reads them.

Revision ID: c0c4b1d2e3f4
Revises: a8b3d6e0f2c4
Create Date: 2026-12-14 14:00:00+08:00

"""
from typing import Sequence, Union

import json

import sqlalchemy as sa
from alembic import op

revision: str = 'c0c4b1d2e3f4'
down_revision: Union[str, Sequence[str], None] = 'a8b3d6e0f2c4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ("ix_process_instance_definition_state", "process_instance", ["definition_id", "state"]),
    ("ix_process_instance_start", "process_instance", ["start_time"]),
    ("ix_historic_activity_definition_open", "historic_activity", ["definition_id", "end_time", "activity_id"]),
    ("ix_historic_activity_step_open", "historic_activity", ["activity_id", "end_time", "instance_id"]),
    ("ix_task_definition_key_due", "task", ["definition_id", "task_key", "due_at"]),
    ("ix_incident_definition_open", "incident", ["definition_id", "resolved_at", "activity_id"]),
    ("ix_history_event_type_instance", "history_event", ["event_type", "instance_id"]),
    ("ix_process_instance_applicant", "process_instance", ["applicant_org", "start_time"]),
    ("ix_process_instance_supervising", "process_instance", ["supervising_org", "start_time"]),
)


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_org', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('supervising_org', sa.String(length=64), nullable=True))
    _fill_case_columns()
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def _fill_case_columns() -> None:
    """The applying unit: the starter's organization, else `applicantOrg`; the supervising
    unit: `recommenderOrg` (the rule of `permissions.case_of`, as of this revision)."""
    connection = op.get_bind()
    instance = sa.table('process_instance', sa.column('id'), sa.column('owner_org'), sa.column('variables_json'),
                        sa.column('applicant_org'), sa.column('supervising_org'))
    for row in connection.execute(sa.select(instance.c.id, instance.c.owner_org, instance.c.variables_json)).all():
        values = json.loads(row.variables_json or "{}").get("values", {})
        connection.execute(instance.update().where(instance.c.id == row.id).values(
            applicant_org=row.owner_org or _text(values.get("applicantOrg")),
            supervising_org=_text(values.get("recommenderOrg"))))


def _text(value):
    return value if isinstance(value, str) and value else None


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('supervising_org')
        batch_op.drop_column('applicant_org')
