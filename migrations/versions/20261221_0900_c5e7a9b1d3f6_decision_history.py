"""decision history: each evaluation of a decision table by a process, with its inputs and
the outputs of the rules kept (Camunda's historic decision instances)

Revision ID: c5e7a9b1d3f6
Revises: b4d6f8a0c2e5
Create Date: 2026-12-21 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision: str = 'c5e7a9b1d3f6'
down_revision: Union[str, Sequence[str], None] = 'b4d6f8a0c2e5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "historic_decision_instance",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("decision_definition_id", sa.String(120), nullable=True),
        sa.Column("decision_key", sa.String(100), nullable=False),
        sa.Column("decision_name", sa.String(200), nullable=True),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("process_key", sa.String(100), nullable=False),
        sa.Column("definition_id", sa.String(120), nullable=False),
        sa.Column("activity_id", sa.String(100), nullable=False),
        sa.Column("activity_name", sa.String(200), nullable=True),
        sa.Column("activity_instance_id", sa.String(36), nullable=False),
        sa.Column("evaluation_time", UtcDateTime(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("hit_policy", sa.String(20), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("outputs_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_historic_decision_instance_instance", "historic_decision_instance",
                    ["instance_id", "evaluation_time"])
    op.create_index("ix_historic_decision_instance_key_time", "historic_decision_instance",
                    ["decision_key", "evaluation_time"])


def downgrade() -> None:
    op.drop_index("ix_historic_decision_instance_key_time", "historic_decision_instance")
    op.drop_index("ix_historic_decision_instance_instance", "historic_decision_instance")
    op.drop_table("historic_decision_instance")
