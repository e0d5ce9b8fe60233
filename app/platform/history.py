"""Append-only history events: who did what to which instance, when."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import HistoryEvent
from app.prepared import Deferred, Prepared, writer

_INSERT_EVENTS = Prepared(insert(HistoryEvent.__table__))


def event(event_type: str, user_id: str | None = None, activity_id: str | None = None,
          task_id: str | None = None, **details) -> dict:
    return {"event_type": event_type, "user_id": user_id, "activity_id": activity_id,
            "task_id": task_id, "details": details or None}


def append(target: Session | Deferred, instance_id: str, process_key: str, events: list[dict],
           now: datetime) -> None:
    """Write the events now, or with the other writes held back in `target`."""
    if not events:
        return
    writes = writer(target if isinstance(target, Deferred) else connection_of(target))
    writes.write(_INSERT_EVENTS, [
        dict(
            instance_id=instance_id, process_key=process_key, event_type=e["event_type"],
            activity_id=e["activity_id"], task_id=e["task_id"], user_id=e["user_id"],
            occurred_at=now,
            details_json=json.dumps(e["details"], ensure_ascii=False, default=str)
            if e["details"] else None,
        )
        for e in events
    ])
