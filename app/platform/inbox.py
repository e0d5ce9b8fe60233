"""The officer's inbox (read model): 待办, 待认领, 已办, 我发起的, 抄送我的, with filters, sorting,
paging.

Each box starts from an index on what names the actor, so its cost follows the actor's
own work, not the number of open tasks: `todo` from `task(assignee, created_at)`,
`claimable` from `task_candidate(kind, value, task_id)` then the task's primary key,
`done` from `historic_task(completed_by, end_time)`, `started` from
`process_instance(started_by, start_time)`, `copied` from `instance_reader(user_id,
granted_at)`. Names of processes, organizations and the
current steps are looked up for the rows of the page only.

Totals are counted up to `COUNT_LIMIT` + 1: a user with more than that in a box sees
"more than 1,000", and a count never walks a whole group's backlog. A crowded 待认领 box
(a department's queue) is read the other way round: the open tasks in display order, each
checked against the actor's candidate rows, so a page costs its 20 rows, not a sort of
every offered task.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import (
    HistoricTask, InstanceReader, Organization, ProcessDefinition, ProcessInstance, Task, TaskCandidate,
)

from app.core.errors import BadRequest
from app.core.identity import Actor
from app.core.paging import Page

BOXES = ("todo", "claimable", "done", "started", "copied")
# Boxes of cases rather than tasks: a row is an instance, matched by its open tasks.
CASE_BOXES = ("started", "copied")
SORT_FIELDS = ("created", "due", "name")
# An open task due within this is marked 即将到期 in the inbox.
DUE_SOON = timedelta(days=1)
COUNT_LIMIT = 1_000
# Above this many offered tasks, walking the open tasks in display order finds a page
# sooner than collecting and sorting all of them.
DENSE_BOX = 500

_TASK = Task.__table__
_HISTORIC = HistoricTask.__table__
_INSTANCE = ProcessInstance.__table__
_CANDIDATE = TaskCandidate.__table__


@dataclass(frozen=True)
class InboxFilter:
    process_key: str | None = None
    task_key: str | None = None
    overdue: bool = False
    due_within_days: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class InboxSort:
    """`created` is the completion time in `done`; `name` is the case's name in `started`."""

    field: str = "created"
    descending: bool = True


def inbox(session: Session, actor: Actor, box: str, filters: InboxFilter = InboxFilter(),
          sort: InboxSort = InboxSort(), page: Page = Page(max_results=20), *,
          now: datetime) -> tuple[list[dict], int]:
    """One page of a box and the box's total (capped at `COUNT_LIMIT` + 1)."""
    _check(box, filters, sort)
    conn = connection_of(session)
    query, columns = _box_query(conn, actor, box, sort.field)
    query = _filtered(query, columns, box, filters, now)
    total = conn.execute(_capped_count(query)).scalar_one()
    ordered = query.order_by(*_ordering(columns, sort))
    rows = [dict(r._mapping) for r in conn.execute(page.apply(ordered))]
    return _shaped(session, box, rows, now), total


def counts(session: Session, actor: Actor) -> dict[str, int]:
    """How many items each box holds (each capped at `COUNT_LIMIT` + 1)."""
    conn = connection_of(session)
    return {
        box: conn.execute(_capped_count(_box_query(conn, actor, box, "created")[0])).scalar_one()
        for box in BOXES
    }


def landing_box(session: Session, actor: Actor) -> str:
    """The box a person lands on: the one that has work (their 待办, else 待认领)."""
    conn = connection_of(session)
    for box in ("todo", "claimable"):
        if conn.execute(_capped_count(_box_query(conn, actor, box, "created")[0])).scalar_one():
            return box
    return "todo"


def _box_query(conn, actor: Actor, box: str, sort_field: str):
    """The box's query; a crowded 待认领 box is walked in display order instead."""
    if box == "claimable" and sort_field in _DISPLAY_ORDER_SORTS:
        offered = conn.execute(_capped_count(_offered_rows(actor))).scalar_one()
        if offered > DENSE_BOX:
            return _claimable_in_display_order(actor), _TASK_COLUMNS
    return _QUERIES[box](actor)


def _check(box: str, filters: InboxFilter, sort: InboxSort) -> None:
    if box not in BOXES:
        raise BadRequest(f"未知的列表 {box}，应为 {'、'.join(BOXES)} 之一 / unknown box")
    if sort.field not in SORT_FIELDS:
        raise BadRequest(f"不支持按 {sort.field} 排序，应为 {'、'.join(SORT_FIELDS)} 之一 / unknown sort")
    if filters.due_within_days is not None and not 0 <= filters.due_within_days <= 3650:
        raise BadRequest("到期天数应在 0 到 3650 之间 / due_within_days out of range")


def _capped_count(query):
    return select(func.count()).select_from(query.limit(COUNT_LIMIT + 1).subquery())


# The boxes: a query and the columns its filters and sorting use ------------------------------

@dataclass(frozen=True)
class _Columns:
    created: object
    due: object
    name: object
    process_key: object
    task_key: object
    business_key: object
    business_name: object
    instance_id: object
    id: object


_TASK_COLUMNS = _Columns(
    _TASK.c.created_at, _TASK.c.due_at, _TASK.c.name, _TASK.c.process_key, _TASK.c.task_key,
    _TASK.c.business_key, _TASK.c.business_name, _TASK.c.instance_id, _TASK.c.id,
)
_TASK_SELECT = select(
    _TASK.c.id.label("task_id"), _TASK.c.name, _TASK.c.task_key, _TASK.c.instance_id,
    _TASK.c.process_key, _TASK.c.definition_id, _TASK.c.business_key, _TASK.c.business_name,
    _TASK.c.owner_org, _TASK.c.created_at, _TASK.c.due_at, _TASK.c.assignee, _TASK.c.owner,
    _TASK.c.delegation_state, _TASK.c.due_weekends_only,
)


def _todo(actor: Actor):
    return _TASK_SELECT.where(_TASK.c.assignee == actor.id), _TASK_COLUMNS


def _claimable(actor: Actor):
    offered = _offered_rows(actor)
    # `coalesce` keeps the planner off the assignee index: the unassigned tasks of every
    # group are many; the ones offered to this actor are found from their candidate rows.
    unassigned = func.coalesce(_TASK.c.assignee, "") == ""
    return _TASK_SELECT.where(_TASK.c.id.in_(offered), unassigned), _TASK_COLUMNS


# Sort fields with an (assignee, field) index: unassigned tasks come out in display order.
_DISPLAY_ORDER_SORTS = ("created", "due")


def _offers_to(actor: Actor):
    return or_(
        and_(_CANDIDATE.c.kind == "group", _CANDIDATE.c.value.in_(sorted(actor.candidate_values))),
        and_(_CANDIDATE.c.kind == "user", _CANDIDATE.c.value == actor.id),
    )


def _offered_rows(actor: Actor):
    """Candidate rows naming the actor: an index-only read that tells how crowded the box is."""
    return select(_CANDIDATE.c.task_id).where(_offers_to(actor))


def _claimable_in_display_order(actor: Actor):
    """Unassigned tasks walked through an (assignee, sort field) index, each checked against
    the actor's candidate rows: the page's LIMIT ends the walk early in a crowded box."""
    offered = exists().where(_CANDIDATE.c.task_id == _TASK.c.id, _offers_to(actor))
    return _TASK_SELECT.where(_TASK.c.assignee.is_(None), offered)


_DONE_COLUMNS = _Columns(
    _HISTORIC.c.end_time, _HISTORIC.c.due_at, _HISTORIC.c.name, _HISTORIC.c.process_key,
    _HISTORIC.c.task_key, _HISTORIC.c.business_key, _INSTANCE.c.business_name,
    _HISTORIC.c.instance_id, _HISTORIC.c.id,
)


def _done(actor: Actor):
    query = (
        select(
            _HISTORIC.c.id.label("task_id"), _HISTORIC.c.name, _HISTORIC.c.task_key,
            _HISTORIC.c.instance_id, _HISTORIC.c.process_key, _HISTORIC.c.definition_id,
            _HISTORIC.c.business_key, _INSTANCE.c.business_name, _INSTANCE.c.owner_org,
            _HISTORIC.c.start_time.label("created_at"), _HISTORIC.c.due_at,
            _HISTORIC.c.end_time, _HISTORIC.c.delete_reason, _INSTANCE.c.end_time.label("instance_end"),
        )
        .join(_INSTANCE, _INSTANCE.c.id == _HISTORIC.c.instance_id)
        .where(_HISTORIC.c.completed_by == actor.id)
    )
    return query, _DONE_COLUMNS


_READER = InstanceReader.__table__


def _case_columns(created) -> _Columns:
    return _Columns(
        created, _INSTANCE.c.start_time, _INSTANCE.c.business_name, _INSTANCE.c.process_key, None,
        _INSTANCE.c.business_key, _INSTANCE.c.business_name, _INSTANCE.c.id, _INSTANCE.c.id,
    )


def _case_rows(created):
    """A row of a box of cases: the instance, with `created` as the time the box sorts by."""
    return select(
        _INSTANCE.c.id.label("instance_id"), _INSTANCE.c.process_key, _INSTANCE.c.definition_id,
        _INSTANCE.c.business_key, _INSTANCE.c.business_name, _INSTANCE.c.owner_org,
        created.label("created_at"), _INSTANCE.c.end_time.label("instance_end"), _INSTANCE.c.state,
    )


_STARTED_COLUMNS = _case_columns(_INSTANCE.c.start_time)
_COPIED_COLUMNS = _case_columns(_READER.c.granted_at)


def _started(actor: Actor):
    return _case_rows(_INSTANCE.c.start_time).where(_INSTANCE.c.started_by == actor.id), _STARTED_COLUMNS


def _copied(actor: Actor):
    """抄送我的: the cases copied to the actor, newest copy first."""
    query = (_case_rows(_READER.c.granted_at)
             .join(_READER, _READER.c.instance_id == _INSTANCE.c.id).where(_READER.c.user_id == actor.id))
    return query, _COPIED_COLUMNS


_QUERIES = {"todo": _todo, "claimable": _claimable, "done": _done, "started": _started, "copied": _copied}



# Filters and sorting -------------------------------------------------------------------------

def _filtered(query, c: _Columns, box: str, f: InboxFilter, now: datetime):
    if f.process_key:
        query = query.where(c.process_key == f.process_key)
    if f.text and f.text.strip():
        text = f.text.strip()
        query = query.where(or_(c.business_name.contains(text, autoescape=True),
                                c.business_key.contains(text, autoescape=True)))
    due = _due_condition(f, now)
    if box in CASE_BOXES:
        # An instance matches through one of its open tasks.
        conditions = [x for x in (
            _TASK.c.task_key == f.task_key if f.task_key else None,
            due(_TASK.c.due_at) if due else None,
        ) if x is not None]
        if conditions:
            query = query.where(exists().where(_TASK.c.instance_id == _INSTANCE.c.id, *conditions))
        return query
    if f.task_key:
        query = query.where(c.task_key == f.task_key)
    if due:
        query = query.where(due(c.due))
    return query


def _due_condition(f: InboxFilter, now: datetime):
    if f.overdue:
        return lambda column: column < now
    if f.due_within_days is not None:
        until = now + timedelta(days=f.due_within_days)
        return lambda column: and_(column >= now, column <= until)
    return None


def _ordering(c: _Columns, sort: InboxSort) -> list:
    column = {"created": c.created, "due": c.due, "name": c.name}[sort.field]
    order = [column.desc(), c.id.desc()] if sort.descending else [column.asc(), c.id.asc()]
    if sort.field == "created":
        return order
    # Rows without a due date (or a name) come last either way; ids keep pages stable.
    return [column.is_(None), *order]


# Rows ----------------------------------------------------------------------------------------

def _shaped(session: Session, box: str, rows: list[dict], now: datetime) -> list[dict]:
    if not rows:
        return []
    conn = connection_of(session)
    processes = _names(conn, ProcessDefinition, {r["definition_id"] for r in rows})
    organizations = _names(conn, Organization, {r["owner_org"] for r in rows})
    steps = {} if box in ("todo", "claimable") else _current_steps(conn, {r["instance_id"] for r in rows})
    return [_row(box, r, processes, organizations, steps, now) for r in rows]


def _names(conn, model, ids: set) -> dict:
    ids.discard(None)
    if not ids:
        return {}
    return dict(conn.execute(select(model.id, model.name).where(model.id.in_(sorted(ids)))).all())


def _current_steps(conn, instance_ids: set) -> dict[str, list[tuple[str, str]]]:
    """Each instance's open steps as (task key, name), each name once: how many experts
    review a case is the department's to know (see `confidential`)."""
    found: dict[str, dict[str, str]] = {}
    rows = conn.execute(
        select(_TASK.c.instance_id, _TASK.c.task_key, _TASK.c.name)
        .where(_TASK.c.instance_id.in_(sorted(instance_ids))).order_by(_TASK.c.created_at)
    )
    for instance_id, key, name in rows:
        found.setdefault(instance_id, {}).setdefault(name, key)
    return {instance_id: [(key, name) for name, key in names.items()] for instance_id, names in found.items()}


def _row(box: str, r: dict, processes: dict, organizations: dict, steps: dict, now: datetime) -> dict:
    due = r.get("due_at")
    ended = box not in ("todo", "claimable") and r.get("instance_end") is not None
    if box in ("todo", "claimable"):
        open_steps = [(r["task_key"], r["name"])]
    else:
        open_steps = [] if ended else steps.get(r["instance_id"], [])
    current = "已办结" if ended else "、".join(name or key for key, name in open_steps) or None
    return {
        "taskId": r.get("task_id"), "name": r.get("name") or processes.get(r["definition_id"]),
        "taskKey": r.get("task_key"), "instanceId": r["instance_id"],
        "processKey": r["process_key"], "processName": processes.get(r["definition_id"]),
        "definitionId": r["definition_id"], "currentSteps": open_steps,
        "businessKey": r["business_key"], "businessName": r["business_name"],
        "organization": organizations.get(r["owner_org"]), "created": r["created_at"],
        "due": due, "overdue": _overdue(box, due, r, now), "currentStep": current,
        "dueSoon": box in ("todo", "claimable") and due is not None and now <= due <= now + DUE_SOON,
        "dueWeekendsOnly": bool(r.get("due_weekends_only")),
        "assignee": r.get("assignee"), "owner": r.get("owner"),
        "delegationState": r.get("delegation_state"), "completed": r.get("end_time"),
        "outcome": r.get("delete_reason"), "ended": r.get("instance_end"),
    }


def _overdue(box: str, due, r: dict, now: datetime) -> bool:
    if due is None:
        return False
    if box == "done":
        return r["end_time"] is not None and r["end_time"] > due
    return due < now
