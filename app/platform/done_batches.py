"""The batch Camunda answers an asynchronous operation with. There is no batch engine here:
the operation runs in the request's own command, so its batch is done when it is answered,
as if by one batch job that made every invocation. It is kept in the audit log (action
`batch.<type>`, its id the target), written with the operation, and read back as Camunda's
historic batch (`/history/batch`): `/batch/{id}` knows it no more than Camunda's once its
batch ended, and history has it, as Camunda's does."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, false, literal, select
from sqlalchemy.orm import Session

from app.clock import parse_client_datetime
from app.core import audit
from app.core.context import AppContext
from app.core.errors import Forbidden, NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.models import AuditEntry

from . import query_criteria as qc
from .instance_store import new_id
from .query_criteria import Query

ACTION = "batch."
_A = AuditEntry


@dataclass(frozen=True)
class DoneBatch:
    id: str
    # Camunda's batch type: `set-external-task-retries`, `instance-modification`, ….
    type: str
    invocations: int
    created_by: str
    started_at: datetime
    ended_at: datetime | None = None


def keep(ctx: AppContext, session: Session, actor: Actor, batch_type: str, invocations: int,
         started_at: datetime, batch_id: str | None = None) -> DoneBatch:
    """The batch of an operation done in this command, kept with it."""
    done = DoneBatch(batch_id or new_id(), batch_type, invocations, actor.id, started_at, ctx.now())
    audit.record(ctx, session, ACTION + batch_type, user_id=actor.id, target=done.id, source=actor.source,
                 details={"invocations": invocations, "startTime": started_at.isoformat()})
    return done


class _Completed(qc.Criterion):
    """Camunda's `completed`: true, every batch here; false, none (none is running)."""

    kind = "flag"

    def condition(self, key, value):
        return None if value else false()

    def parameters(self, key, value):
        return {}

    def shape(self, value):
        return value


CRITERIA: dict[str, qc.Criterion] = {
    "batchId": qc.Equal(_A.target),
    "type": qc.Test(lambda p: _A.action == literal(ACTION, String) + p),
    "completed": _Completed(),
    **qc.WITHOUT_TENANTS,
}
SORTS = {"batchId": _A.target, "startTime": _A.occurred_at, "endTime": _A.occurred_at}


def batches(session: Session, actor: Actor, q: Query, page: Page) -> list[DoneBatch]:
    query, parameters = batches_query(actor, q)
    rows = session.scalars(page.apply(qc.ordered(query, SORTS, q, _A.occurred_at, _A.id)), parameters)
    return [_batch(row) for row in rows]


def batches_query(actor: Actor, q: Query) -> tuple:
    """The batches done that match `q`, for those who read the audit log they are kept in."""
    if not actor.in_any(audit.READERS):
        raise Forbidden("只有系统管理员可以查看批次记录 / only administrators may read the batch history")
    query = select(_A).where(_A.action.like(ACTION + "%"), _A.success.is_(True))
    return qc.filtered(actor, query, CRITERIA, q)


def batch(session: Session, actor: Actor, batch_id: str) -> DoneBatch:
    found = batches(session, actor, Query({"batchId": batch_id}), Page(0, 1))
    if not found:
        raise NotFound(f"批次 {batch_id} 不存在 / Historic batch for id {batch_id} cannot be found")
    return found[0]


def _batch(row: AuditEntry) -> DoneBatch:
    details = json.loads(row.details_json or "{}")
    started = parse_client_datetime(details["startTime"]) if details.get("startTime") else row.occurred_at
    return DoneBatch(row.target, row.action[len(ACTION):], details.get("invocations", 0), row.user_id, started,
                     row.occurred_at)
