"""Who a new task goes to when its model names nobody, so that nobody has to claim what only
they would take (as Chinese approval systems do):

1. back to whoever completed the same step of this case last, if they may still take it:
   after 退回, or in a second round, the step returns to the officer who handled it;
2. the starter's own first step (the applicant's form) is the starter's;
3. the only active user who may take it.

Otherwise the task waits in its candidates' 待认领 box. A model's `camunda:assignee` (an
expert's review) always wins. A task whose model names no candidate and no assignee (as
models drawn elsewhere often are; the deployment warns) waits unassigned in the
department's 待认领: its staff claim it or assign it, as Camunda's administrators would.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine.views import UserTaskInfo
from app.core.context import AppContext
from app.core.identity import candidate_names
from app.core.user_states import changed_users, user_states
from app.models import HistoricTask, User, UserGroup
from app.prepared import Prepared


@functools.lru_cache(maxsize=64)
def _takers_statement(users: int, orgs: int, groups: int) -> Prepared | None:
    """Who may take tasks that name so many users, units and groups: a statement per shape,
    prepared like the rest of the hot path (it runs for every new task nobody is named for),
    or None when the tasks name nobody."""
    named = [
        User.id.in_([bindparam(f"user_{n}") for n in range(users)]) if users else None,
        User.organization_id.in_([bindparam(f"org_{n}") for n in range(orgs)]) if orgs else None,
        User.id.in_(select(UserGroup.user_id).where(
            UserGroup.group_id.in_([bindparam(f"group_{n}") for n in range(groups)]))) if groups else None,
    ]
    if not any(term is not None for term in named):
        return None
    return Prepared(
        select(User.id, User.organization_id, UserGroup.group_id)
        .outerjoin(UserGroup, UserGroup.user_id == User.id)
        .where(User.active.is_(True), or_(*[term for term in named if term is not None]))
        .order_by(User.id)
    )


# Who is offered a task its model offers nobody: the department runs the cases.
UNOFFERED_TASK_GROUP = "department"


def offered(task: UserTaskInfo) -> UserTaskInfo:
    """The task as the inbox offers it: a task naming nobody goes to the department."""
    if task.candidate_groups or task.candidate_users or task.assignee:
        return task
    return replace(task, candidate_groups=[UNOFFERED_TASK_GROUP])


@dataclass(frozen=True)
class Taker:
    """An active user, by the candidate-group strings that name them."""

    id: str
    names: frozenset[str]

    def may_take(self, task: UserTaskInfo) -> bool:
        return self.id in task.candidate_users or bool(self.names.intersection(task.candidate_groups))


def assignees(ctx: AppContext, session: Session, instance_id: str, started_now: bool,
              starter: str | None, tasks: Iterable[UserTaskInfo]) -> dict[str, str]:
    """The assignee of each new task that gets one (task id -> user id)."""
    open_tasks = [t for t in tasks if not t.assignee]
    if not open_tasks:
        return {}
    takers = _takers(ctx, session, open_tasks)
    able = {task.id: [p for p in takers if p.may_take(task)] for task in open_tasks}
    # Who handled a step last decides only among several who may take it: ask only then.
    contested = {t.key for t in open_tasks if len(able[t.id]) > 1}
    last = _last_handlers(session, instance_id, contested) if contested and not started_now else {}
    first_step_owner = starter if started_now else None
    chosen = {}
    for task in open_tasks:
        who = _choose(able[task.id], last.get(task.key), first_step_owner)
        if who is not None:
            chosen[task.id] = who
    return chosen


def _choose(takers: list[Taker], last: str | None, starter: str | None) -> str | None:
    ids = {p.id for p in takers}
    for preferred in (last, starter):
        if preferred is not None and preferred in ids:
            return preferred
    return takers[0].id if len(takers) == 1 else None


def _last_handlers(session: Session, instance_id: str, keys: set[str]) -> dict[str, str]:
    """Per step: who completed it last in this case. One row per step, read from the end of
    an index: a step that came round ten thousand times costs what it did the first time."""
    found = {}
    for key in sorted(keys):
        user_id = session.scalar(
            select(HistoricTask.completed_by)
            .where(HistoricTask.instance_id == instance_id, HistoricTask.task_key == key,
                   HistoricTask.completed_by.is_not(None))
            .order_by(HistoricTask.end_time.desc(), HistoricTask.id.desc()).limit(1))
        if user_id is not None:
            found[key] = user_id
    return found


def _takers(ctx: AppContext, session: Session, tasks: list[UserTaskInfo]) -> tuple[Taker, ...]:
    """Every active user any of the tasks names (id order): kept between commands where the
    database announces changes to users (`user_states`), so that on PostgreSQL the writes
    of a command that opens a task need not wait for this read's answer."""
    values = {v for t in tasks for v in t.candidate_groups}
    named = (tuple(sorted({u for t in tasks for u in t.candidate_users})),
             tuple(sorted({v[len("org:"):] for v in values if v.startswith("org:")})),
             tuple(sorted({v.partition(":")[0] for v in values if not v.startswith("org:")})))

    def fetch() -> tuple[Taker, ...]:
        return _read_takers(session, *named)
    if changed_users(session):
        return fetch()
    return user_states(ctx).kept(("takers", named), fetch)


def _read_takers(session: Session, users: tuple, orgs: tuple, groups: tuple) -> tuple[Taker, ...]:
    statement = _takers_statement(len(users), len(orgs), len(groups))
    if statement is None:
        return ()
    parameters = {f"{kind}_{n}": value for kind, given in (("user", users), ("org", orgs), ("group", groups))
                  for n, value in enumerate(given)}
    rows = statement.all(connection_of(session), parameters)
    found: dict[str, tuple[str, set[str]]] = {}
    for user_id, organization_id, group in rows:
        found.setdefault(user_id, (organization_id, set()))[1].update({group} if group else set())
    return tuple(Taker(user_id, candidate_names(org, user_groups)) for user_id, (org, user_groups) in found.items())
