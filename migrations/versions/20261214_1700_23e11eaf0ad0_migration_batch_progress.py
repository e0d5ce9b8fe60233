"""migration_batch: a migration batch's instances and how far it got, so that a page can move
them a few per request and show the progress

Issue 11 (the modeler's migration page).

Revision ID: 23e11eaf0ad0
Revises: e4a7c2f9b1d6
Create Date: 2026-12-14 16:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import app.models.base

revision: str = '23e11eaf0ad0'
down_revision: Union[str, Sequence[str], None] = 'e4a7c2f9b1d6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('migration_batch',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=120), nullable=False),
    sa.Column('source_definition_id', sa.String(length=120), nullable=False),
    sa.Column('target_definition_id', sa.String(length=120), nullable=False),
    sa.Column('instructions_json', sa.Text(), nullable=False),
    sa.Column('instances_json', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('migrated', sa.Integer(), nullable=False),
    sa.Column('skipped_json', sa.Text(), nullable=False),
    sa.Column('undoes', sa.String(length=36), nullable=True),
    sa.Column('undone_by', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(), nullable=False),
    sa.Column('finished_at', app.models.base.UtcDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_batch'))
    )
    op.create_index(op.f('ix_migration_batch_process_key'), 'migration_batch', ['process_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_migration_batch_process_key'), table_name='migration_batch')
    op.drop_table('migration_batch')
