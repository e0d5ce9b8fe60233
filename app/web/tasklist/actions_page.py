"""Buttons beside the form: 转办, 委派, 退回, 催办, 撤回, 抄送, comments and attachments.

Each posts one small form and runs one service command; a refusal comes back as a message
at the top of the page the user came from.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, request, url_for

from app.core.errors import ServiceError
from app.platform import collaboration, task_actions
from app.tic import documents, expert_declines, panel_changes, panel_draws

from . import blueprint, context
from .. import auth
from ..auth import safe_next
from ..headers import inert


def _act(command, done_key: str, success_url: str, failure_url: str | None = None):
    """Run `command(ctx, session, actor)` in one transaction; say how it went."""
    ctx = context()
    try:
        with ctx.db.command() as session:
            command(ctx, session, auth.current_actor())
    except ServiceError as refused:
        messages = [e["message"] for e in refused.errors] or [refused.message]
        for message in messages:
            flash(message, "text")
        return redirect(failure_url or success_url)
    flash(done_key, "key")
    return redirect(success_url)


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _form(name: str) -> str:
    return request.form.get(name, "").strip()


def _task_url(task_id: str) -> str:
    return url_for("tasklist.task", task_id=task_id)


@blueprint.post("/tasks/<task_id>/transfer")
def transfer(task_id):
    return _act(lambda ctx, s, actor: task_actions.transfer(
        ctx, s, actor, task_id, _form("user_id"), _form("opinion") or None),
        "action.transferred", url_for("tasklist.inbox"), _task_url(task_id))


@blueprint.post("/tasks/<task_id>/delegate")
def delegate(task_id):
    return _act(lambda ctx, s, actor: task_actions.delegate(
        ctx, s, actor, task_id, _form("user_id"), _form("opinion") or None),
        "action.delegated", url_for("tasklist.inbox"), _task_url(task_id))


@blueprint.post("/tasks/<task_id>/send-back")
def send_back(task_id):
    return _act(lambda ctx, s, actor: task_actions.send_back(
        ctx, s, actor, task_id, _form("target"), _form("opinion")),
        "action.sent_back", url_for("tasklist.inbox"), _task_url(task_id))


@blueprint.post("/tasks/<task_id>/urge")
def urge(task_id):
    return _act(lambda ctx, s, actor: task_actions.urge(ctx, s, actor, task_id, _form("message")),
                "action.urged", _back(_task_url(task_id)))


@blueprint.post("/instances/<instance_id>/withdraw")
def withdraw(instance_id):
    return _act(lambda ctx, s, actor: task_actions.withdraw(ctx, s, actor, instance_id, _form("reason")),
                "action.withdrawn", url_for("tasklist.inbox", box="started"),
                _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.post("/instances/<instance_id>/cc")
def carbon_copy(instance_id):
    users = [u for u in request.form.getlist("user_ids") if u]
    return _act(lambda ctx, s, actor: task_actions.carbon_copy(
        ctx, s, actor, instance_id, users, _form("note") or None),
        "action.copied", _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.post("/instances/<instance_id>/expert-panel")
def add_reviewer(instance_id):
    return _act(lambda ctx, s, actor: panel_changes.add_reviewer(
        ctx, s, actor, instance_id, _form("user_id") or None, _form("reason")),
        "panel.added", _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.post("/instances/<instance_id>/expert-panel/<expert>/remove")
def remove_reviewer(instance_id, expert):
    return _act(lambda ctx, s, actor: panel_changes.remove_reviewer(
        ctx, s, actor, instance_id, expert, _form("reason")),
        "panel.removed", _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.post("/tasks/<task_id>/expert-draw")
def draw_experts(task_id):
    return _act(lambda ctx, s, actor: panel_draws.draw_for_task(ctx, s, actor, task_id, _form("field") or None),
                "draw.done", _task_url(task_id))


@blueprint.post("/tasks/<task_id>/expert-draw/requests")
def request_redraw(task_id):
    return _act(lambda ctx, s, actor: panel_draws.request_change(
        ctx, s, actor, task_id, _form("kind"), _form("reason"), _form("expert") or None),
        "draw.requested", _task_url(task_id))


@blueprint.post("/expert-draw-requests/<int(max=2147483647):request_id>/decision")
def decide_redraw(request_id):
    return _act(lambda ctx, s, actor: panel_draws.decide_request(
        ctx, s, actor, request_id, _form("decision") == "approve", _form("opinion")),
        "draw.decided", _back(url_for("tasklist.inbox")))


@blueprint.post("/tasks/<task_id>/decline")
def decline_review(task_id):
    return _act(lambda ctx, s, actor: expert_declines.decline(ctx, s, actor, task_id, _form("kind"), _form("reason")),
                "decline.done", url_for("tasklist.inbox"), _task_url(task_id))


@blueprint.post("/instances/<instance_id>/comments")
def comment(instance_id):
    task_id = request.form.get("task_id") or None
    return _act(lambda ctx, s, actor: collaboration.add_comment(
        ctx, s, actor, instance_id, _form("text"), task_id),
        "comment.added", _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.post("/instances/<instance_id>/attachments")
def attach(instance_id):
    upload = request.files.get("file")
    task_id = request.form.get("task_id") or None
    return _act(lambda ctx, s, actor: collaboration.add_attachment(
        ctx, s, actor, instance_id, upload.filename if upload else "",
        upload.mimetype if upload else None, upload.read() if upload else b"",
        task_id, _form("description") or None),
        "attachment.added", _back(url_for("tasklist.instance", instance_id=instance_id)))


@blueprint.get("/attachments/<attachment_id>")
def attachment(attachment_id):
    with context().db.read() as session:
        found = collaboration.get_attachment(session, auth.current_actor(), attachment_id)
    return _download(found)


@blueprint.get("/documents/<document_id>")
def document(document_id):
    return _download(documents.pdf_of(context(), auth.current_actor(), document_id))


def _download(found: dict) -> Response:
    response = Response(found["data"], mimetype=found["type"])
    # Always a download: an uploaded file is never rendered as a page of this site.
    response.headers["Content-Disposition"] = _disposition(found["name"])
    return inert(response)


def _disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"
