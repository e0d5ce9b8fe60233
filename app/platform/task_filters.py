"""Saved task queries (Camunda's filters): a user's named views of the inbox, and the shared
ones an administrator keeps for everyone.

A filter is read by its owner, a shared one (no owner) by everyone; it is created, changed
and deleted by its owner, a shared one or another's by an administrator, who is audited
for it. Running a filter runs its query as the one who runs it: a shared filter never shows
a task its reader could not list at /task. The query is kept as the client wrote it and
checked by the caller (the REST layer reads it as it reads `POST /task`).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.models import TaskFilter
from app.platform import permissions

RESOURCE_TYPES = ("Task",)
NAME_MAX = 200
SORTS = {"filterId": TaskFilter.id, "name": TaskFilter.name, "owner": TaskFilter.owner,
         "resourceType": TaskFilter.resource_type}


@dataclass(frozen=True)
class FilterWanted:
    """Camunda's filter list parameters."""

    id: str | None = None
    resource_type: str | None = None
    name: str | None = None
    name_like: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class FilterInput:
    """What a create or an update sets (`owner_given`: the body named the owner, maybe none)."""

    resource_type: str
    name: str
    owner: str | None
    owner_given: bool
    query: dict
    properties: dict


def list_filters(session: Session, actor: Actor, wanted: FilterWanted, sort: tuple[str, bool],
                 page: Page) -> list[TaskFilter]:
    column = SORTS[sort[0]]
    query = _readable(actor, wanted).order_by(column.desc() if sort[1] else column, TaskFilter.id)
    return list(session.scalars(page.apply(query)))


def count_filters(session: Session, actor: Actor, wanted: FilterWanted) -> int:
    return session.scalar(select(func.count()).select_from(_readable(actor, wanted).subquery()))


def get_filter(session: Session, actor: Actor, filter_id: str) -> TaskFilter:
    """The filter, for whoever may read it (NotFound for anyone else, as for none)."""
    found = session.scalar(_readable(actor, FilterWanted(id=filter_id)))
    if found is None:
        raise NotFound(f"过滤器 {filter_id} 不存在 / filter {filter_id} not found")
    return found


def create_filter(ctx: AppContext, session: Session, actor: Actor, given: FilterInput) -> TaskFilter:
    owner = given.owner if given.owner_given else actor.id
    _require_keeper(ctx, session, actor, owner, "filter.create", None)
    now = ctx.now()
    row = TaskFilter(id=str(uuid.uuid4()), created_at=now, owner=owner, **_columns(given), updated_at=now)
    session.add(row)
    _audit_shared(ctx, session, actor, "filter.create", row)
    return row


def update_filter(ctx: AppContext, session: Session, actor: Actor, filter_id: str, given: FilterInput) -> None:
    """Camunda's update sets every property; an owner not named keeps the filter's."""
    row = get_filter(session, actor, filter_id)
    _require_keeper(ctx, session, actor, row.owner, "filter.update", row.id)
    owner = given.owner if given.owner_given else row.owner
    if owner != row.owner:
        _require_keeper(ctx, session, actor, owner, "filter.update", row.id)
    for name, value in _columns(given).items():
        setattr(row, name, value)
    row.owner, row.updated_at = owner, ctx.now()
    _audit_shared(ctx, session, actor, "filter.update", row)


def delete_filter(ctx: AppContext, session: Session, actor: Actor, filter_id: str) -> None:
    row = get_filter(session, actor, filter_id)
    _require_keeper(ctx, session, actor, row.owner, "filter.delete", row.id)
    _audit_shared(ctx, session, actor, "filter.delete", row)
    session.delete(row)


def check_input(resource_type, name, properties) -> None:
    """The filter's own fields, each refused by name."""
    if resource_type not in RESOURCE_TYPES:
        raise _invalid("resourceType", "只支持任务过滤器（Task）", "only Task filters are supported")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise _invalid("name", f"请填写名称（至多 {NAME_MAX} 字）", f"a name is required, up to {NAME_MAX}")
    if not isinstance(properties, dict):
        raise _invalid("properties", "应为对象", "properties must be an object")


def _readable(actor: Actor, wanted: FilterWanted):
    query = select(TaskFilter)
    if not permissions.administers(actor):
        query = query.where(or_(TaskFilter.owner.is_(None), TaskFilter.owner == actor.id))
    for column, value in ((TaskFilter.id, wanted.id), (TaskFilter.resource_type, wanted.resource_type),
                          (TaskFilter.name, wanted.name), (TaskFilter.owner, wanted.owner)):
        if value is not None:
            query = query.where(column == value)
    if wanted.name_like is not None:
        query = query.where(TaskFilter.name.like(wanted.name_like.replace("*", "%")))
    return query


def _require_keeper(ctx: AppContext, session: Session, actor: Actor, owner: str | None, action: str,
                    target: str | None) -> None:
    """A user keeps their own filters; shared ones and other users' are the administrators'."""
    if owner == actor.id or permissions.administers(actor):
        return
    audit.record_refusal(ctx, session, action, user_id=actor.id, target=target, source=actor.source,
                         details={"owner": owner})
    raise Forbidden("只有管理员可以维护共享的或他人的过滤器 / only administrators keep shared or others' filters")


def _audit_shared(ctx: AppContext, session: Session, actor: Actor, action: str, row: TaskFilter) -> None:
    if row.owner != actor.id:
        audit.record(ctx, session, action, user_id=actor.id, target=row.id, source=actor.source,
                     details={"name": row.name, "owner": row.owner})


def _columns(given: FilterInput) -> dict:
    return {"resource_type": given.resource_type, "name": given.name.strip(),
            "query_json": json.dumps(given.query, ensure_ascii=False),
            "properties_json": json.dumps(given.properties, ensure_ascii=False)}


def _invalid(field: str, zh: str, en: str) -> BadRequest:
    return BadRequest(f"{zh} / {en}", [{"field": field, "message": zh}])
