"""Tasks, Camunda style: delegate, resolve, set the assignee (转办), comments, attachments."""
from __future__ import annotations

import io
from datetime import datetime

from flask import g, jsonify, request, send_file

from app.clock import format_camunda
from app.core.errors import BadRequest, NotFound
from app.platform import collaboration, task_actions, variables

from . import blueprint, context, params
from ..headers import inert


def camunda_dates(record: dict) -> dict:
    """The record with its datetimes in Camunda's format (Asia/Shanghai)."""
    return {k: format_camunda(v) if isinstance(v, datetime) else v for k, v in record.items()}


@blueprint.post("/task/<task_id>/delegate")
def delegate(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        task_actions.delegate(ctx, session, g.actor, task_id, body.get("userId"), body.get("opinion"))
    return "", 204


@blueprint.post("/task/<task_id>/resolve")
def resolve(task_id):
    body = params.json_body()
    values, _types = variables.from_camunda(body.get("variables"))
    ctx = context()
    with ctx.db.command() as session:
        task_actions.resolve(ctx, session, g.actor, task_id, values, body.get("opinion"))
    return "", 204


@blueprint.post("/task/<task_id>/assignee")
def set_assignee(task_id):
    """Camunda's setAssignee; here it is 转办 and keeps its rules (a candidate of the task)."""
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        task_actions.transfer(ctx, session, g.actor, task_id, body.get("userId"), body.get("opinion"))
    return "", 204


@blueprint.get("/task/<task_id>/comment")
def list_comments(task_id):
    params.known_only()
    with context().db.read() as session:
        instance_id = collaboration.instance_of_task(session, task_id)
        found = collaboration.list_comments(session, g.actor, instance_id, task_id)
    return jsonify([_comment(c) for c in found])


@blueprint.get("/process-instance/<instance_id>/comment")
def list_instance_comments(instance_id):
    """Every comment of the case, oldest first, less those on steps the reader may not see;
    404 for whoever may not read the case."""
    params.known_only()
    with context().db.read() as session:
        found = collaboration.list_comments(session, g.actor, instance_id)
    return jsonify([_comment(c) for c in found])


@blueprint.get("/task/<task_id>/comment/<comment_id>")
def get_comment(task_id, comment_id):
    """One of the task's comments, for whoever may read its list; 404 otherwise."""
    params.known_only()
    with context().db.read() as session:
        instance_id = collaboration.instance_of_task(session, task_id)
        found = [c for c in collaboration.list_comments(session, g.actor, instance_id, task_id)
                 if c["id"] == comment_id]
    if not found:
        raise NotFound(f"意见 {comment_id} 不存在或无权查看 / Task comment {comment_id} of task {task_id} not found")
    return jsonify(_comment(found[0]))


@blueprint.post("/task/<task_id>/comment")
@blueprint.post("/task/<task_id>/comment/create")
def add_comment(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        instance_id = collaboration.instance_of_task(session, task_id)
        comment = collaboration.add_comment(ctx, session, g.actor, instance_id, body.get("message"), task_id)
    return jsonify(_comment(comment))


def _comment(comment: dict) -> dict:
    return dict(camunda_dates(comment), removalTime=None,
                rootProcessInstanceId=comment["processInstanceId"])


@blueprint.post("/task/<task_id>/attachment/create")
def add_attachment(task_id):
    upload = request.files.get("content")
    if upload is None:
        raise BadRequest("请上传附件（content 字段）/ the file goes in the `content` field")
    form = request.form
    ctx = context()
    with ctx.db.command() as session:
        instance_id = collaboration.instance_of_task(session, task_id)
        attachment = collaboration.add_attachment(
            ctx, session, g.actor, instance_id, form.get("attachment-name") or upload.filename,
            form.get("attachment-type") or upload.mimetype, upload.read(), task_id,
            form.get("attachment-description"),
        )
    return jsonify(_attachment(attachment))


@blueprint.get("/task/<task_id>/attachment")
def list_attachments(task_id):
    params.known_only()
    with context().db.read() as session:
        instance_id = collaboration.instance_of_task(session, task_id)
        found = collaboration.list_attachments(session, g.actor, instance_id, task_id)
    return jsonify([_attachment(a) for a in found])


@blueprint.get("/task/<task_id>/attachment/<attachment_id>")
def get_attachment(task_id, attachment_id):
    params.known_only()
    return jsonify(_attachment(_task_attachment(task_id, attachment_id)))


@blueprint.get("/task/<task_id>/attachment/<attachment_id>/data")
def attachment_data(task_id, attachment_id):
    params.known_only()
    attachment = _task_attachment(task_id, attachment_id)
    return inert(send_file(io.BytesIO(attachment["data"]), mimetype=attachment["type"],
                           as_attachment=True, download_name=attachment["name"]))


def _task_attachment(task_id: str, attachment_id: str) -> dict:
    with context().db.read() as session:
        attachment = collaboration.get_attachment(session, g.actor, attachment_id)
    if attachment["taskId"] != task_id:
        raise NotFound(f"附件 {attachment_id} 不存在或无权查看 / attachment not found")
    return attachment


def _attachment(attachment: dict) -> dict:
    shown = camunda_dates({k: v for k, v in attachment.items() if k != "data"})
    return dict(shown, url=None, removalTime=None,
                rootProcessInstanceId=attachment["processInstanceId"], links=[])
