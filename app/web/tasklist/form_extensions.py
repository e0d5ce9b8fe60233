"""Steps whose page form is more than its stored JSON Schema, keyed by step: an extension
adds to the form what the case decides (the criteria of the scoring sheet), completes the
posted values with what the server computes, and words a refusal of its own fields. The
submission is checked by the services as for any other client; an extension only helps
the page fill it."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.core.identity import Actor
from app.platform import user_tasks
from app.tic import expert_reviews

from . import scoring_sheet


class FormExtension(Protocol):
    def extend(self, ctx: AppContext, session: Session, task, form: dict) -> dict: ...

    def posted(self, form: dict, values: dict) -> dict: ...

    def explained(self, form: dict, values: dict, errors: list[dict]) -> list[dict]: ...


EXTENSIONS: dict[str, FormExtension] = {expert_reviews.REVIEW_STEP: scoring_sheet}


def form_of(ctx: AppContext, session: Session, actor: Actor, task) -> dict:
    """The task's form as its page renders and reads it back."""
    form = user_tasks.form_of(ctx, session, actor, task.id)
    extension = EXTENSIONS.get(task.task_key)
    return extension.extend(ctx, session, task, form) if extension else form


def posted(task, form: dict, values: dict) -> dict:
    extension = EXTENSIONS.get(task.task_key)
    return extension.posted(form, values) if extension else values


def explained(task, form: dict, values: dict, errors: list[dict]) -> list[dict]:
    extension = EXTENSIONS.get(task.task_key)
    return extension.explained(form, values, errors) if extension else errors
