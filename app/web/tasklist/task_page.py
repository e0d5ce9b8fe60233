"""The task page: read the task and its application, fill the form, save a draft, submit,
claim or give back; and the instance's diagram for the viewer."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import PurePosixPath

from flask import Response, flash, redirect, render_template, request, send_file, url_for

from app.core.errors import BadRequest, NotFound, ServiceError
from app.platform import instance_detail, instance_store, process_instances, statistics, task_forms, user_tasks

from . import blueprint, context, form_extensions, form_input, task_view
from .form_model import hint_key, is_file_field
from .. import auth
from ..headers import inert

# Where the page lists the files it could not keep (no field has this name).
NOT_KEPT = "_files"


@blueprint.get("/tasks/<task_id>")
def task(task_id):
    try:
        return _render(task_id)
    except NotFound:
        with context().db.read() as session:
            case = user_tasks.finished_case(session, auth.current_actor(), task_id)
        if case is None:
            raise
        flash("task.finished", "key")
        return redirect(url_for("tasklist.instance", instance_id=case))


def _render(task_id: str, posted: dict | None = None, errors: list[dict] | None = None,
            status: int = 200):
    ctx = context()
    with ctx.db.read() as session:
        page = task_view.build(ctx, session, auth.current_actor(), task_id, posted, errors)
        return render_template("tasklist/task.html", page=page), status


@blueprint.post("/tasks/<task_id>")
def task_form(task_id):
    """One form, several buttons: add or remove a row, save a draft, resolve, or submit. The
    files chosen in file fields go with the button's command, in its transaction: a refused
    command stores none of them."""
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        task = user_tasks.get_task(session, actor, task_id)
        form = form_extensions.form_of(ctx, session, actor, task)
    schema = form["schema"] or {}
    values = form_extensions.posted(task, form, form_input.parse(schema, request.form))
    uploads = _uploads(form)
    if "_add_row" in request.form:
        form_input.add_row(schema, values, request.form["_add_row"])
        return _rows_changed(task_id, values, uploads)
    if "_remove_row" in request.form:
        form_input.remove_row(values, request.form["_remove_row"])
        return _rows_changed(task_id, values, uploads)
    action = request.form.get("_action")
    if action == "resolve":
        opinion = request.form.get("opinion", "").strip() or None
        return _form_command(task_id, values, uploads, "action.resolved", url_for("tasklist.inbox"),
                             lambda *run: task_forms.resolve(*run, values, opinion, uploads))
    if action == "save":
        return _form_command(task_id, values, uploads, "draft.saved",
                             url_for("tasklist.task", task_id=task_id),
                             lambda *run: task_forms.save_draft(*run, values, uploads))
    return _form_command(task_id, values, uploads, "task.submitted", lambda: _after_submit(task.instance_id),
                         lambda *run: task_forms.complete(*run, values, uploads),
                         lambda errors: form_extensions.explained(task, form, values, errors))


def _after_submit(instance_id: str) -> tuple[str, str]:
    """Where a submit leads: the submitter's next task of the same case if it came back to
    them at once (the result of a check, a new round), so the result is on the page at once;
    else the inbox."""
    with context().db.read() as session:
        next_task = user_tasks.next_task_for(session, auth.current_actor(), instance_id)
    if next_task is None:
        return "task.submitted", url_for("tasklist.inbox")
    return "task.next_in_case", url_for("tasklist.task", task_id=next_task)


def _uploads(form: dict) -> list[task_forms.Upload]:
    """The files chosen in the form's file fields (other file parts are ignored)."""
    hints = (form["ui"] or {}).get("fields") or {}
    found = []
    for name, upload in request.files.items(multi=True):
        field_schema = form_input.schema_at(form["schema"] or {}, name)
        if upload.filename and is_file_field(field_schema, hints.get(hint_key(name)) or {}):
            found.append(task_forms.Upload(name, field_schema.get("title") or name, upload.filename,
                                           upload.mimetype, upload.read()))
    return found


def _form_command(task_id: str, values: dict, uploads: list, done_key: str,
                  then: str | Callable[[], tuple[str, str]], command,
                  explained: Callable[[list[dict]], list[dict]] = lambda errors: errors):
    """Run `command(ctx, session, actor, task_id)` in one transaction; when refused, the page
    again with everything typed, each message beside its field (as `explained` words them),
    and the files to choose again. Done, it leads to `then` (or to the message and address
    `then()` gives, asked afterwards)."""
    ctx, actor = context(), auth.current_actor()
    try:
        with ctx.db.command() as session:
            command(ctx, session, actor, task_id)
    except BadRequest as refused:
        errors = explained(refused.errors or [{"field": "", "message": refused.message}])
        return _render(task_id, values, errors + ([_not_kept(uploads)] if uploads else []), 400)
    if callable(then):
        done_key, then = then()
    flash(done_key, "key")
    return redirect(then)


def _rows_changed(task_id: str, values: dict, uploads: list):
    """The form again with a row more or less (no JavaScript); nothing is stored."""
    if uploads:
        not_kept = _not_kept(uploads)
        flash(f"{not_kept['message']} / {not_kept['message_en']}", "text")
    return _render(task_id, values)


def _not_kept(uploads: list) -> dict:
    """The page cannot give a chosen file back to the browser: the files to choose again."""
    return {"field": NOT_KEPT,
            "message": "以下文件未保存，请重新选择：" + "、".join(f"{u.title}（{u.file_name}）" for u in uploads),
            "message_en": "These files were not kept, please choose them again: "
                          + ", ".join(f"{u.title} ({u.file_name})" for u in uploads)}


@blueprint.post("/tasks/<task_id>/claim")
def claim(task_id):
    return _command(task_id, user_tasks.claim, "task.claimed")


@blueprint.post("/tasks/<task_id>/unclaim")
def unclaim(task_id):
    return _command(task_id, user_tasks.unclaim, "task.unclaimed")


def _command(task_id: str, command, done_key: str):
    """Run a task command; a refusal (already claimed, no longer open) is shown on the page."""
    ctx = context()
    try:
        with ctx.db.command() as session:
            command(ctx, session, auth.current_actor(), task_id)
    except ServiceError as refused:
        flash(refused.message, "text")
    else:
        flash(done_key, "key")
    return redirect(url_for("tasklist.task", task_id=task_id))


@blueprint.get("/instances/<instance_id>/diagram.bpmn")
def diagram(instance_id):
    ctx = context()
    with ctx.db.read() as session:
        instance = process_instances.get_instance(session, auth.current_actor(), instance_id)
        definition = instance_store.definition_of(ctx, session, instance.definition_id)
        if request.args.get("called"):
            definition = _called(ctx, session, definition, request.args["called"])
        return _inert_download(definition.bpmn_xml, PurePosixPath(definition.resource_name).name)


def _called(ctx, session, caller, key: str):
    """A process the instance's diagram calls, in the version it was deployed against."""
    called = (instance_detail.called_definition(session, caller, key)
              if key in statistics.calls_of(ctx, caller).values() else None)
    if called is None:
        raise NotFound(f"流程 {caller.key} 没有调用 {key[:100]} / the process calls no {key[:100]}")
    return called


def _inert_download(xml: bytes, file_name: str) -> Response:
    """A model file as data only: the viewer fetches it, a browser opening it runs nothing."""
    return inert(send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=True,
                           download_name=file_name))
