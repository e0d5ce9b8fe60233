"""Form drafts: what a user typed into a task's form and saved without submitting.

One draft per user per task; the task page pre-fills the form from it over the instance's
values. Submitting the task drops every draft of it.
"""
from __future__ import annotations

import json

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.models import TaskDraft

from . import user_tasks
from .context import AppContext
from .identity import Actor
from .permissions import act_refusal, enforce


def save(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict) -> None:
    """Keep `values` as the actor's draft of the task (only someone who may act on it)."""
    enforce(act_refusal(actor, user_tasks.get_task(session, actor, task_id)))
    text = json.dumps(values, ensure_ascii=False, default=str)
    draft = session.get(TaskDraft, (task_id, actor.id))
    if draft is None:
        session.add(TaskDraft(task_id=task_id, user_id=actor.id, values_json=text,
                              saved_at=ctx.now()))
    else:
        draft.values_json, draft.saved_at = text, ctx.now()
    session.flush()


def load(session: Session, actor: Actor, task_id: str) -> TaskDraft | None:
    return session.get(TaskDraft, (task_id, actor.id))


def values_of(draft: TaskDraft | None) -> dict:
    return json.loads(draft.values_json) if draft is not None else {}


def submit(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict) -> None:
    """Complete the task with `values` and drop its drafts, in the same transaction."""
    user_tasks.complete(ctx, session, actor, task_id, values)
    session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
