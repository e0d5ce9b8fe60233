"""A task form posted with the files chosen in it, as one command.

Each file becomes an attachment of the case and of the task, and its reference
(`attachment:<id>`) the value of its field; the command the form was posted for (complete,
save the draft, resolve the delegation) runs in the same transaction. So a refusal of any
part (a file's type or size, the schema, the opinion rule, a listener, the task's state)
stores nothing. Values are addressed by value paths with row indices
(`coBuilders.0.signature.scan`).
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.core.errors import BadRequest, ValidationFailed
from app.core.identity import Actor
from app.platform import collaboration, drafts, instance_store, task_actions, user_tasks

ATTACHMENT_PREFIX = "attachment:"


@dataclass(frozen=True)
class Upload:
    """A file chosen in the file field at value path `field` (titled `title`)."""

    field: str
    title: str
    file_name: str
    media_type: str | None
    content: bytes


def complete(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict,
             uploads: Sequence[Upload] = ()) -> None:
    values = _attached(ctx, session, actor, task_id, values, uploads)
    user_tasks.complete(ctx, session, actor, task_id, values)


def save_draft(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict,
               uploads: Sequence[Upload] = ()) -> None:
    values = _attached(ctx, session, actor, task_id, values, uploads)
    drafts.save(ctx, session, actor, task_id, values)


def resolve(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict,
            opinion: str | None, uploads: Sequence[Upload] = ()) -> None:
    values = _attached(ctx, session, actor, task_id, values, uploads)
    task_actions.resolve(ctx, session, actor, task_id, values, opinion)


def _attached(ctx, session, actor: Actor, task_id: str, values: dict,
              uploads: Sequence[Upload]) -> dict:
    """`values` with the stored files' references (the caller's dict stays as posted, to be
    shown again if the command is refused); every refused file is reported beside its field."""
    if not uploads:
        return values
    values = copy.deepcopy(values)
    task = user_tasks.get_task(session, actor, task_id)
    instance_store.lock_instance(session, task.instance_id)
    errors = []
    for upload in uploads:
        try:
            stored = collaboration.add_attachment(ctx, session, actor, task.instance_id, upload.file_name,
                                                  upload.media_type, upload.content, task.id)
        except BadRequest as refusal:
            errors.append(_field_error(upload, refusal.message))
        else:
            set_value(values, upload.field, attachment_reference(stored["id"]))
    if errors:
        raise ValidationFailed("附件未通过检查 / a file was refused", errors)
    return values


def _field_error(upload: Upload, message: str) -> dict:
    """A service message (`中文 / English`) as an error beside the file's field."""
    chinese, _, english = message.partition(" / ")
    return {"field": upload.field, "message": f"{upload.title}：{chinese}",
            "message_en": f"{upload.title}: {english or chinese}"}


def attachment_reference(attachment_id: str) -> str:
    return f"{ATTACHMENT_PREFIX}{attachment_id}"


def attachment_id(value) -> str | None:
    """The attachment a file field's value refers to, if it is such a reference."""
    if isinstance(value, str) and value.startswith(ATTACHMENT_PREFIX):
        return value[len(ATTACHMENT_PREFIX):]
    return None


def set_value(values: dict, path: str, value) -> None:
    """Put `value` at `path` when the path leads through the values."""
    located = locate(values, path)
    if located is not None:
        container, last = located
        container[last] = value


def locate(values: dict, path: str):
    """The dict holding the last segment of `path`, and that segment; None when the path
    does not lead through the values (a stale or forged name)."""
    *parents, last = path.split(".")
    node = values
    try:
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    except (IndexError, ValueError, AttributeError):
        return None
    return (node, last) if isinstance(node, dict) else None
