"""Reading external tasks: the list and count with Camunda's filters, one task, its error
details, the topics in use. Workers, administrators and the cockpit's readers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import ExternalTask

from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.platform.permissions import enforce, external_task_read_refusal

SORT_COLUMNS = {
    "id": ExternalTask.id, "lockExpirationTime": ExternalTask.lock_expires_at,
    "processInstanceId": ExternalTask.instance_id, "processDefinitionId": ExternalTask.definition_id,
    "processDefinitionKey": ExternalTask.process_key, "taskPriority": ExternalTask.priority,
    "createTime": ExternalTask.created_at,
}


@dataclass(frozen=True)
class ExternalTaskFilter:
    """Camunda's filters of GET /external-task; None leaves a filter out."""

    ids: tuple[str, ...] | None = None
    topic_name: str | None = None
    worker_id: str | None = None
    locked: bool | None = None
    not_locked: bool | None = None
    with_retries_left: bool | None = None
    no_retries_left: bool | None = None
    lock_expiration_after: datetime | None = None
    lock_expiration_before: datetime | None = None
    activity_ids: tuple[str, ...] | None = None
    instance_ids: tuple[str, ...] | None = None
    definition_id: str | None = None
    process_key: str | None = None
    business_key: str | None = None
    active: bool | None = None
    suspended: bool | None = None
    priority_at_least: int | None = None
    priority_at_most: int | None = None
    # (sortBy, descending) pairs, the first sorting first.
    sorting: tuple[tuple[str, bool], ...] = ()


def list_tasks(session: Session, actor: Actor, f: ExternalTaskFilter, now: datetime, page: Page) -> list:
    enforce(external_task_read_refusal(actor))
    query = _query(f, now)
    for name, descending in f.sorting:
        query = query.order_by(SORT_COLUMNS[name].desc() if descending else SORT_COLUMNS[name].asc())
    return list(session.scalars(page.apply(query.order_by(ExternalTask.created_at, ExternalTask.id))))


def count_tasks(session: Session, actor: Actor, f: ExternalTaskFilter, now: datetime) -> int:
    enforce(external_task_read_refusal(actor))
    return session.scalar(select(func.count()).select_from(_query(f, now).subquery()))


def get_task(session: Session, actor: Actor, task_id: str) -> ExternalTask:
    enforce(external_task_read_refusal(actor))
    task = session.get(ExternalTask, task_id)
    if task is None:
        raise NotFound(f"外部任务 {task_id} 不存在 / External task with id {task_id} does not exist")
    return task


def error_details(session: Session, actor: Actor, task_id: str) -> str:
    return get_task(session, actor, task_id).error_details or ""


def topic_names(session: Session, actor: Actor, now: datetime, with_locked: bool, with_unlocked: bool,
                with_retries_left: bool) -> list[str]:
    """The topics of the tasks there are (locked ones, unlocked ones, those with retries left)."""
    enforce(external_task_read_refusal(actor))
    query = select(ExternalTask.topic_name).distinct().order_by(ExternalTask.topic_name)
    if with_locked:
        query = query.where(ExternalTask.lock_expires_at > now)
    if with_unlocked:
        query = query.where(_unlocked(now))
    if with_retries_left:
        query = query.where(_retries_left())
    return list(session.scalars(query))


def _unlocked(now: datetime):
    return or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now)


def _retries_left():
    return or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0)


def _query(f: ExternalTaskFilter, now: datetime):
    unknown = [name for name, _descending in f.sorting if name not in SORT_COLUMNS]
    if unknown:
        raise BadRequest(f"不支持的排序字段 {unknown[0]} / unsupported sortBy {unknown[0]}",
                         [{"field": "sortBy", "message": "不支持的排序字段"}])
    t = ExternalTask
    conditions = [
        t.id.in_(f.ids) if f.ids is not None else None,
        t.topic_name == f.topic_name if f.topic_name is not None else None,
        t.worker_id == f.worker_id if f.worker_id is not None else None,
        t.lock_expires_at > now if f.locked else None,
        _unlocked(now) if f.not_locked else None,
        _retries_left() if f.with_retries_left else None,
        t.retries == 0 if f.no_retries_left else None,
        t.lock_expires_at > f.lock_expiration_after if f.lock_expiration_after else None,
        t.lock_expires_at < f.lock_expiration_before if f.lock_expiration_before else None,
        t.activity_id.in_(f.activity_ids) if f.activity_ids is not None else None,
        t.instance_id.in_(f.instance_ids) if f.instance_ids is not None else None,
        t.definition_id == f.definition_id if f.definition_id is not None else None,
        t.process_key == f.process_key if f.process_key is not None else None,
        t.business_key == f.business_key if f.business_key is not None else None,
        t.suspended.is_(False) if f.active else None,
        t.suspended.is_(True) if f.suspended else None,
        t.priority >= f.priority_at_least if f.priority_at_least is not None else None,
        t.priority <= f.priority_at_most if f.priority_at_most is not None else None,
    ]
    return select(t).where(*(c for c in conditions if c is not None))
