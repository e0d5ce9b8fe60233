"""migrated_instance: what each migration batch moved, so that a batch can be undone

Issue 11 (migration of running instances between versions).

Revision ID: a9d3e7c1b5f2
Revises: a1c3e5f7b9d2
Create Date: 2026-12-14 11:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import app.models.base

revision: str = 'a9d3e7c1b5f2'
down_revision: Union[str, Sequence[str], None] = 'a1c3e5f7b9d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('migrated_instance',
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('source_definition_id', sa.String(length=120), nullable=False),
    sa.Column('target_definition_id', sa.String(length=120), nullable=False),
    sa.Column('instructions_json', sa.Text(), nullable=False),
    sa.Column('version_after', sa.Integer(), nullable=False),
    sa.Column('migrated_at', app.models.base.UtcDateTime(), nullable=False),
    sa.Column('migrated_by', sa.String(length=64), nullable=False),
    sa.Column('undone_by', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('batch_id', 'instance_id', name=op.f('pk_migrated_instance'))
    )


def downgrade() -> None:
    op.drop_table('migrated_instance')
