"""Form drafts: what a user typed into a task's form and saved without submitting.

One draft per user per task; the task page pre-fills the form from it over the instance's
values. A draft lives as long as its open task: the draft table refers to the task table
with ON DELETE CASCADE, so however the task ends (completed on either face, sent back,
withdrawn, the instance deleted, a timer cancelling it) its drafts go with it, and no
command removes them by hand.
"""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from app.models import TaskDraft

from app.core.context import AppContext
from app.core.identity import Actor
from app.platform import user_tasks
from app.platform.permissions import act_refusal, enforce


def save(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict) -> None:
    """Keep `values` as the actor's draft of the task (only someone who may act on it)."""
    enforce(act_refusal(actor, user_tasks.get_task(session, actor, task_id)))
    keep(ctx, session, task_id, actor.id, values)


def keep(ctx: AppContext, session: Session, task_id: str, user_id: str, values: dict) -> None:
    """Write `values` as `user_id`'s draft of the task; the caller has checked who may."""
    text = json.dumps(values, ensure_ascii=False, default=str)
    draft = session.get(TaskDraft, (task_id, user_id))
    if draft is None:
        session.add(TaskDraft(task_id=task_id, user_id=user_id, values_json=text,
                              saved_at=ctx.now()))
    else:
        draft.values_json, draft.saved_at = text, ctx.now()
    session.flush()


def load(session: Session, actor: Actor, task_id: str) -> TaskDraft | None:
    return session.get(TaskDraft, (task_id, actor.id))


def values_of(draft: TaskDraft | None) -> dict:
    return json.loads(draft.values_json) if draft is not None else {}
