"""The stored local variables of a user task: their rows, read and written, no more (who
may read or write them is `task_local_variables`'s)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import TaskLocalVariable


def stored(session: Session, task_id: str) -> tuple[dict, dict]:
    """The task's local values and their declared types."""
    rows = session.scalars(select(TaskLocalVariable).where(TaskLocalVariable.task_id == task_id)
                           .order_by(TaskLocalVariable.name)).all()
    values = {row.name: json.loads(row.value_json) for row in rows}
    types = {row.name: json.loads(row.declared_json) for row in rows if row.declared_json}
    return values, types


def write(session: Session, task_id: str, values: dict, types: dict, deletions: list[str],
          now: datetime) -> None:
    if deletions:
        session.execute(delete(TaskLocalVariable).where(
            TaskLocalVariable.task_id == task_id, TaskLocalVariable.name.in_(deletions)))
    for name, value in values.items():
        declared = types.get(name)
        session.merge(TaskLocalVariable(
            task_id=task_id, name=name, value_json=json.dumps(value, ensure_ascii=False),
            declared_json=None if declared is None else json.dumps(declared, ensure_ascii=False),
            updated_at=now))
