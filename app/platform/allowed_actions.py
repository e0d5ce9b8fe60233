"""What an actor may do with a task or a case, answered at once for a page or an API client.

Every answer is a rule of `permissions` (the commands enforce the same ones), with the
people an action may go to and the steps a task may be sent back to. A page offers exactly
these actions: an action with nobody to go to is not offered.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import Task

from app.core import directory
from app.core.context import AppContext
from app.core.directory import Person
from app.core.errors import ServiceError
from app.core.identity import Actor
from app.platform import permissions, task_actions

_TASK = Task.__table__
_OPEN_TASKS = select(_TASK).where(_TASK.c.instance_id == bindparam("instance_id"))


@dataclass(frozen=True)
class TaskActions:
    """What the actor may do with one open task."""

    act: bool  # fill in its form and save a draft
    claim: bool
    unclaim: bool
    complete: bool
    resolve: bool  # hand a delegated task back to its owner
    urge: bool
    send_back_to: list[dict]  # the earlier steps, nearest first: {activityId, name, assignee}
    transfer_to: list[Person]
    delegate_to: list[Person]
    sees_confidential: bool


@dataclass(frozen=True)
class CaseActions:
    """What the actor may do with a case as a whole."""

    withdraw: bool
    copy_to: list[Person]
    urge: frozenset[str]  # the open tasks the actor may urge
    sees_confidential: bool


def for_task(ctx: AppContext, session: Session, actor: Actor, task) -> TaskActions:
    """Everything `actor` may do with `task`, an open task they may read."""
    held = permissions.holder_refusal(actor, task) is None
    urged = task_actions.urged_recently(ctx, session, actor, task.instance_id)
    people = directory.active_users(session) if held else []
    return TaskActions(
        act=permissions.act_refusal(actor, task) is None,
        claim=task.assignee is None and permissions.claim_refusal(actor, task) is None,
        unclaim=task.assignee is not None and held,
        complete=held,
        resolve=permissions.resolve_refusal(actor, task) is None,
        urge=permissions.urge_refusal(actor, task, task.id in urged) is None,
        send_back_to=_return_targets(ctx, session, actor, task) if held else [],
        transfer_to=[directory.person(u) for u in people
                     if permissions.transfer_target_refusal(actor, task, u) is None],
        delegate_to=[directory.person(u) for u in people
                     if permissions.delegate_target_refusal(actor, task, u) is None],
        sees_confidential=permissions.sees_confidential(actor),
    )


def _return_targets(ctx, session: Session, actor: Actor, task) -> list[dict]:
    """The steps the engine can go back to; none when the task is no longer waiting."""
    try:
        return task_actions.return_targets(ctx, session, actor, task.id)
    except ServiceError:
        return []


def for_case(ctx: AppContext, session: Session, actor: Actor, instance) -> CaseActions:
    """Everything `actor` may do with the case of `instance`, an instance they may read."""
    case = permissions.case_of(instance)
    copying = permissions.copy_refusal(actor, case) is None
    people = directory.active_users(session) if copying else []
    urged = task_actions.urged_recently(ctx, session, actor, instance.id)
    open_tasks = connection_of(session).execute(_OPEN_TASKS, {"instance_id": instance.id})
    return CaseActions(
        withdraw=permissions.withdraw_refusal(actor, case) is None,
        copy_to=[directory.person(u) for u in people
                 if permissions.copy_target_refusal(actor, case, u) is None],
        urge=frozenset(t.id for t in open_tasks
                       if permissions.urge_refusal(actor, t, t.id in urged) is None),
        sees_confidential=permissions.sees_confidential(actor),
    )
