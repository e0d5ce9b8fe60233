"""modeler: model_draft, the analysts' diagram drafts (one per analyst and process key)

Revision ID: b3d7f1a8c5e2
Revises: a9d3e7c1b5f2
Create Date: 2026-12-14 12:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import app.models.base

revision: str = 'b3d7f1a8c5e2'
down_revision: Union[str, Sequence[str], None] = 'a9d3e7c1b5f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('model_draft',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('saved_at', app.models.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'process_key', name=op.f('pk_model_draft'))
    )


def downgrade() -> None:
    op.drop_table('model_draft')
