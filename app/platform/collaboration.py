"""Comments and attachments on an instance (optionally on one of its tasks).

Whoever may read the instance may read and add both, copied-in readers (抄送) included:
a remark is not an action on the process. Those on a confidential step (an expert's
review) go with the step: only who may see the step sees them. Files are kept in the
database, checked by extension and by their first bytes (a renamed HTML page is not a
PDF), up to `settings.attachment_max_bytes`.
"""
from __future__ import annotations

import uuid
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import Attachment, Comment, HistoricTask

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound, ValidationFailed
from app.core.identity import Actor
from app.platform import history
from app.platform.process_instances import get_instance

MAX_COMMENT_LENGTH = 4000
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Extension -> (the type we serve it as, the signatures its content must start with).
FILE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "doc": ("application/msword", (_OLE,)),
    "xls": ("application/vnd.ms-excel", (_OLE,)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    "zip": ("application/zip", (_ZIP,)),
}
# What clients send when they do not know a type. Anything else must at least be of the
# extension's family (browsers disagree on the details: image/jpg, application/x-zip, …).
_VAGUE_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
_ATTACHMENT = Attachment.__table__
_LISTED_COLUMNS = [c for c in _ATTACHMENT.c if c.name != "data"]


def instance_of_task(session: Session, task_id: str) -> str:
    """The instance a task (open or finished) belongs to."""
    instance_id = session.scalar(select(HistoricTask.instance_id).where(HistoricTask.id == task_id))
    if instance_id is None:
        raise NotFound(f"任务 {task_id} 不存在或无权查看 / task not found")
    return instance_id


# Comments ----------------------------------------------------------------------------------

def add_comment(ctx: AppContext, session: Session, actor: Actor, instance_id: str, text: str,
                task_id: str | None = None) -> dict:
    instance = get_instance(session, actor, instance_id)
    _require_task_of(session, actor, instance.id, task_id)
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_COMMENT_LENGTH:
        raise ValidationFailed("评论内容不符合要求 / invalid comment", [{
            "field": "message",
            "message": "评论内容：不能为空" if not text else f"评论内容：不能超过 {MAX_COMMENT_LENGTH} 个字符",
        }])
    comment = Comment(instance_id=instance.id, task_id=task_id, user_id=actor.id, text=text,
                      created_at=ctx.now())
    session.add(comment)
    session.flush()
    history.append(session, instance.id, instance.process_key, [
        history.event("comment_added", actor.id, task_id=task_id, comment_id=comment.id)
    ], comment.created_at)
    return _comment(comment)


def list_comments(session: Session, actor: Actor, instance_id: str,
                  task_id: str | None = None) -> list[dict]:
    """The instance's comments, oldest first; only the task's when `task_id` is given."""
    get_instance(session, actor, instance_id)
    _require_task_of(session, actor, instance_id, task_id)
    hidden = _hidden_tasks(session, actor, instance_id)
    query = select(Comment).where(Comment.instance_id == instance_id)
    if task_id is not None:
        query = query.where(Comment.task_id == task_id)
    return [_comment(c) for c in session.scalars(query.order_by(Comment.id)) if c.task_id not in hidden]


def _comment(c: Comment) -> dict:
    return {"id": str(c.id), "userId": c.user_id, "taskId": c.task_id,
            "processInstanceId": c.instance_id, "time": c.created_at, "message": c.text}


# Attachments -------------------------------------------------------------------------------

def add_attachment(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                   file_name: str, content_type: str | None, data: bytes,
                   task_id: str | None = None, description: str | None = None) -> dict:
    instance = get_instance(session, actor, instance_id)
    _require_task_of(session, actor, instance.id, task_id)
    name = _safe_name(file_name)
    served_type = _checked_type(name, content_type, data, ctx.settings.attachment_max_bytes)
    return _attachment(_insert(session, instance, dict(
        task_id=task_id, user_id=actor.id, file_name=name, content_type=served_type,
        description=(description or None), data=data, created_at=ctx.now(), department_only=False,
    )))


def archive(session: Session, instance, user_id: str, file_name: str, content_type: str,
            data: bytes, description: str, department_only: bool, now) -> str:
    """Keep a file the system made (an official document) with the case; its id.
    `department_only`: only department staff may list or read it."""
    return _insert(session, instance, dict(
        task_id=None, user_id=user_id, file_name=_safe_name(file_name), content_type=content_type,
        description=description, data=data, created_at=now, department_only=department_only,
    ))["id"]


def _insert(session: Session, instance, values: dict) -> dict:
    row = dict(values, id=str(uuid.uuid4()), instance_id=instance.id, size=len(values["data"]))
    connection_of(session).execute(_ATTACHMENT.insert(), [row])
    history.append(session, instance.id, instance.process_key, [
        history.event("attachment_added", row["user_id"], task_id=row["task_id"], attachment_id=row["id"],
                      file_name=row["file_name"], size=row["size"])
    ], row["created_at"])
    return row


def list_attachments(session: Session, actor: Actor, instance_id: str,
                     task_id: str | None = None) -> list[dict]:
    """The instance's attachments without their bytes, oldest first."""
    get_instance(session, actor, instance_id)
    _require_task_of(session, actor, instance_id, task_id)
    hidden = _hidden_tasks(session, actor, instance_id)
    query = select(*_LISTED_COLUMNS).where(_ATTACHMENT.c.instance_id == instance_id)
    if task_id is not None:
        query = query.where(_ATTACHMENT.c.task_id == task_id)
    rows = connection_of(session).execute(
        query.order_by(_ATTACHMENT.c.created_at, _ATTACHMENT.c.file_name, _ATTACHMENT.c.id)
    )
    return [_attachment(r._mapping) for r in rows if r.task_id not in hidden and _may_read(actor, r)]


def get_attachment(session: Session, actor: Actor, attachment_id: str) -> dict:
    """One attachment with its bytes under `data`."""
    row = connection_of(session).execute(
        select(_ATTACHMENT).where(_ATTACHMENT.c.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound(f"附件 {attachment_id} 不存在或无权查看 / attachment not found")
    try:
        get_instance(session, actor, row.instance_id)
    except NotFound:
        raise NotFound(f"附件 {attachment_id} 不存在或无权查看 / attachment not found") from None
    if row.task_id in _hidden_tasks(session, actor, row.instance_id) or not _may_read(actor, row):
        raise NotFound(f"附件 {attachment_id} 不存在或无权查看 / attachment not found")
    return dict(_attachment(row._mapping), data=row.data)


def _attachment(a) -> dict:
    return {"id": a["id"], "name": a["file_name"], "description": a["description"],
            "taskId": a["task_id"], "processInstanceId": a["instance_id"],
            "type": a["content_type"], "size": a["size"], "userId": a["user_id"],
            "createTime": a["created_at"]}


def _may_read(actor: Actor, row) -> bool:
    return not row.department_only or confidential.sees_all(actor)


def _require_task_of(session: Session, actor: Actor, instance_id: str, task_id: str | None) -> None:
    if task_id is None:
        return
    if instance_of_task(session, task_id) != instance_id:
        raise BadRequest(f"任务 {task_id} 不属于该流程实例 / the task belongs to another instance")
    if task_id in _hidden_tasks(session, actor, instance_id):
        raise NotFound(f"任务 {task_id} 不存在或无权查看 / task not found")


def _hidden_tasks(session: Session, actor: Actor, instance_id: str) -> set[str]:
    """The instance's tasks of confidential steps `actor` may not see."""
    if confidential.sees_all(actor):
        return set()
    rows = session.execute(select(HistoricTask.id, HistoricTask.task_key, HistoricTask.assignee).where(
        HistoricTask.instance_id == instance_id, HistoricTask.task_key.in_(sorted(confidential.STEPS))))
    return {task_id for task_id, key, assignee in rows if not confidential.sees_step(actor, key, assignee)}


def _safe_name(file_name) -> str:
    """The base name only (no client path), at most 200 characters, extension kept."""
    name = PureWindowsPath(PurePosixPath(str(file_name or "")).name).name.strip()
    if not name or name in (".", ".."):
        raise ValidationFailed("请选择要上传的文件 / a file name is required",
                               [{"field": "file", "message": "附件：请选择文件"}])
    stem, dot, extension = name.rpartition(".")
    return name if len(name) <= 200 else f"{stem[:200 - len(extension) - 1]}.{extension}"


def _checked_type(name: str, content_type: str | None, data: bytes, max_bytes: int) -> str:
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    known = FILE_TYPES.get(extension)
    if known is None:
        raise BadRequest("附件类型不支持，仅限 PDF、JPG、PNG、Word、Excel、ZIP 文件 / unsupported file type")
    served_type, signatures = known
    claimed = (content_type or "").split(";")[0].strip().lower()
    if claimed not in _VAGUE_TYPES and claimed.split("/")[0] != served_type.split("/")[0]:
        raise BadRequest(f"文件类型 {content_type} 与扩展名 .{extension} 不符 / content type mismatch")
    if not data:
        raise BadRequest("附件内容为空 / the file is empty")
    if len(data) > max_bytes:
        raise BadRequest(f"附件不能超过 {max_bytes / 1024 / 1024:g} MB / the file is too large")
    if not data.startswith(signatures):
        raise BadRequest(f"文件内容不是有效的 .{extension} 文件 / the content does not match the extension")
    return served_type
