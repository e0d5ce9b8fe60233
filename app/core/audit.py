"""The audit log (等保 2.0): who did what, when, from where, and whether it succeeded.

Use cases call `record` inside their own unit of work, so an entry is written exactly when
what it describes is. Nothing changes or deletes an entry except `purge`, and only past
the retention period (the database's triggers refuse anything else, see models/audit.py).
Actions are dotted names: `login`, `login.lock`, `logout`, `session.expire`,
`password.change`, `password.reset`, `user.create`, `user.deactivate`, `user.groups`,
`organization.create`, `user.update`, `organization.update` (each with the administrator's
reason when given), `audit.purge`, `instance.cc` (抄送: granting read access),
`deployment.create`, `instance.delete`, `instance.migrate` (a batch of instances moved to
another version, or moved back by an undo), `job.retries`, `job.execute`, `center.import`,
`model.draft` (a modeler draft saved; refused modeler attempts as `model.list`, `model.new`,
`model.check`, `model.choices`, `model.evaluate` (试算 of a table being edited)),
`instance.suspend`, `instance.resume`, `instance.modify` (a token moved), `job.duedate`,
`participant.add`, `participant.remove` (加签/减签 on a running countersignature),
`login.unlock`, `definition.delete`, `job_definition.suspend`, `job_definition.activate`,
`operation.annotate`, `operation.clear_annotation`, and `batch.<type>` (an asynchronous
operation done in its request, `platform/done_batches.py`).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.db import after_rollback
from app.models import AuditEntry
from app.models.audit import RETENTION_DAYS

from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden
from app.core.identity import Actor
from app.core.paging import Page

log = logging.getLogger(__name__)
READERS = frozenset({"admin"})
RETENTION = timedelta(days=RETENTION_DAYS)


def record(ctx: AppContext, session: Session, action: str, *, user_id: str | None,
           success: bool = True, target: str | None = None, source: str | None = None,
           details: dict | None = None) -> None:
    """Append one entry in the caller's unit of work."""
    session.add(AuditEntry(
        occurred_at=ctx.now(), user_id=_clip(user_id, 64), action=action,
        target=_clip(target, 200), source=_clip(source, 64), success=success,
        details_json=json.dumps(details, ensure_ascii=False) if details else None,
    ))


def record_refusal(ctx: AppContext, session: Session, action: str, *, user_id: str | None,
                   target: str | None = None, source: str | None = None,
                   details: dict | None = None) -> None:
    """Record a refused attempt: the caller's unit of work is about to roll back, so the
    entry is written in a unit of work of its own once it has."""
    def write() -> None:
        try:
            with ctx.db.command() as own:
                record(ctx, own, action, user_id=user_id, success=False, target=target,
                       source=source, details=details)
        except Exception:
            # The refusal the caller raises matters more than its record: never mask it.
            log.exception("could not write the audit entry of a refused %s", action)

    after_rollback(session, write)


def entries(session: Session, actor: Actor, page: Page, user_id: str | None = None,
            action: str | None = None) -> list[dict]:
    """The log, newest first, for administrators."""
    if not actor.in_any(READERS):
        raise Forbidden("只有系统管理员可以查看审计日志 / only administrators may read the audit log")
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return [_entry(row) for row in session.scalars(page.apply(query))]


def purge(ctx: AppContext, session: Session, by: str, source: str, before: datetime) -> int:
    """Delete the entries older than `before`, which must lie past the retention period."""
    if before > ctx.now() - RETENTION:
        raise BadRequest(f"审计日志至少保留 {RETENTION_DAYS} 天，只能清理更早的记录 / audit entries "
                         f"are kept {RETENTION_DAYS} days: only older ones can be purged",
                         [{"field": "before", "message": f"须早于 {RETENTION_DAYS} 天前"}])
    deleted = session.execute(delete(AuditEntry).where(AuditEntry.occurred_at < before)).rowcount
    record(ctx, session, "audit.purge", user_id=by, source=source,
           details={"before": before.isoformat(), "deleted": deleted})
    return deleted


def _entry(row: AuditEntry) -> dict:
    return {
        "id": row.id, "time": format_camunda(row.occurred_at), "userId": row.user_id,
        "action": row.action, "target": row.target, "source": row.source,
        "success": row.success,
        "details": json.loads(row.details_json) if row.details_json else None,
    }


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]
