"""external tasks: the service tasks left to external workers, fetched and locked by topic

Revision ID: c2f8a4e6d0b1
Revises: d9f3b7a2e6c1
Create Date: 2026-12-17 11:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import app.models.base

revision: str = 'c2f8a4e6d0b1'
down_revision: Union[str, Sequence[str], None] = 'd9f3b7a2e6c1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('external_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('topic_name', sa.String(length=200), nullable=False),
    sa.Column('worker_id', sa.String(length=200), nullable=True),
    sa.Column('lock_expires_at', app.models.base.UtcDateTime(), nullable=True),
    sa.Column('retries', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.String(length=666), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=120), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('business_key', sa.String(length=200), nullable=True),
    sa.Column('suspended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_external_task_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_task'))
    )
    op.create_index('ix_external_task_topic_lock', 'external_task', ['topic_name', 'lock_expires_at'],
                    unique=False)
    op.create_index(op.f('ix_external_task_instance_id'), 'external_task', ['instance_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_external_task_instance_id'), table_name='external_task')
    op.drop_index('ix_external_task_topic_lock', table_name='external_task')
    op.drop_table('external_task')
