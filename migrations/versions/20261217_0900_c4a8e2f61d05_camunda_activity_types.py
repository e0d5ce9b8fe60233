"""history names activities as Camunda does

The history kept the engine library's class names for some activity types
(`topicServiceTask`, `noneTask`, `subWorkflowTask`, …); Camunda's clients and the token-move
targets know `serviceTask`, `task`, `subProcess`. Older rows are renamed the same way; a send
task's older rows stay `serviceTask`, since the row does not say which of the two it was.

Revision ID: c4a8e2f61d05
Revises: b7d3e9a1c4f2
Create Date: 2026-12-17 09:00:00+08:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'c4a8e2f61d05'
down_revision: Union[str, Sequence[str], None] = 'b7d3e9a1c4f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RENAMED = {
    "topicServiceTask": "serviceTask", "noneTask": "task", "subWorkflowTask": "subProcess",
    "transactionSubprocess": "transaction", "adHocSubprocess": "adHocSubProcess",
    "parallelMultiInstanceTask": "multiInstanceBody", "sequentialMultiInstanceTask": "multiInstanceBody",
}
_RENAME = sa.text("UPDATE historic_activity SET activity_type = :new WHERE activity_type = :old")


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.get_bind().execute(_RENAME, {"old": old, "new": new})


def downgrade() -> None:
    # A multi-instance body's row does not say whether it ran in parallel: it keeps its name.
    for old, new in RENAMED.items():
        if new != "multiInstanceBody":
            op.get_bind().execute(_RENAME, {"old": new, "new": old})
