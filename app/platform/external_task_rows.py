"""The external-task rows of an instance, written by the save that changes its state.

A service task left to external workers (`camunda:type="external"`) waits in the engine
until a worker completes it. Each save compares the waiting ones with those of the last
save (`waits["external"]`, like the inbox's tasks): a new one gets its row, one gone
(completed, cancelled by a boundary event, ended with its instance) loses it, in the same
transaction as the state, so the rows never disagree with what the engine will do. Both
are logged (`external_task_log`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.engine import Connection

from app.core.errors import BadRequest
from app.engine.errors import EngineError
from app.engine.views import Snapshot
from app.models import ExternalTask
from app.platform import external_task_log
from app.prepared import Deferred, Prepared

# Long polls of fetchAndLock listen here on PostgreSQL (app/platform/long_polling.py).
CHANNEL = "external_task"

_TABLE = ExternalTask.__table__
_INSERT = Prepared(insert(_TABLE))
_DELETE = Prepared(delete(_TABLE).where(_TABLE.c.id == bindparam("b_id")))
# Sent when the transaction commits (PostgreSQL holds NOTIFY until then), so a woken
# worker finds the rows.
_NOTIFY = Prepared(select(func.pg_notify(CHANNEL, bindparam("topic"))))


def sync(conn: Connection, writes: Deferred, loaded, snapshot: Snapshot, now: datetime) -> None:
    previous = set(loaded.waits.get("external", ()))
    current = {info.id: info for info in snapshot.service_tasks if info.external}
    gone = sorted(previous - current.keys())
    external_task_log.ended(conn, writes, gone, loaded.waits.pop("completed_external", None), now)
    writes.write(_DELETE, [{"b_id": task_id} for task_id in gone])
    new = [info for task_id, info in current.items() if task_id not in previous]
    row = loaded.row
    priorities = {info.id: _priority(loaded, info.id) for info in new}
    rows = [dict(
        id=info.id, topic_name=info.topic or "", worker_id=None, lock_expires_at=None,
        retries=None, error_message=None, error_details=None, priority=priorities[info.id],
        activity_id=info.activity_id, instance_id=row.id, definition_id=row.definition_id,
        process_key=row.process_key, business_key=row.business_key, suspended=False,
        created_at=now,
    ) for info in new]
    writes.write(_INSERT, rows)
    external_task_log.created(writes, rows, now)
    if new:
        announce(writes, conn, {info.topic or "" for info in new})
    if current:
        loaded.waits["external"] = sorted(current)
    else:
        loaded.waits.pop("external", None)


def _priority(loaded, task_id: str) -> int:
    try:
        return loaded.execution.external_task_priority(task_id)
    except EngineError as error:
        raise BadRequest(str(error)) from error


def announce(writes, conn: Connection, topics: set[str]) -> None:
    """Wake the workers waiting for `topics` once the transaction commits (PostgreSQL;
    on SQLite they poll)."""
    if conn.dialect.name == "postgresql":
        writes.write(_NOTIFY, [{"topic": topic} for topic in sorted(topics)])
