"""center.application_instance_id may be empty: a center imported from the department's
records was approved before this system and has no application instance here.

Revision ID: a8b3d6e0f2c4
Revises: b3d7f1a8c5e2
Create Date: 2026-12-14 13:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'a8b3d6e0f2c4'
down_revision: Union[str, Sequence[str], None] = 'b3d7f1a8c5e2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('center', schema=None) as batch_op:
        batch_op.alter_column('application_instance_id', existing_type=sa.String(length=36), nullable=True)


def downgrade() -> None:
    # Fails while imported centers exist: they would have to be deleted with their records.
    with op.batch_alter_table('center', schema=None) as batch_op:
        batch_op.alter_column('application_instance_id', existing_type=sa.String(length=36), nullable=False)
