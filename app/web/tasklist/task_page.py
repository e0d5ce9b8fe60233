"""The task page: read the task and its application, fill the form, save a draft, submit,
claim or give back; and the instance's diagram for the viewer."""
from __future__ import annotations

import io
from pathlib import PurePosixPath

from flask import Response, flash, redirect, render_template, request, send_file, url_for

from app.services import (
    collaboration, drafts, instance_store, process_instances, task_actions, user_tasks,
)
from app.services.errors import BadRequest, ServiceError

from . import blueprint, context, form_input, task_view
from .form_model import attachment_reference, hint_key, is_file_field
from .. import auth
from ..headers import inert


@blueprint.get("/tasks/<task_id>")
def task(task_id):
    return _render(task_id)


def _render(task_id: str, posted: dict | None = None, errors: list[dict] | None = None,
            status: int = 200):
    ctx = context()
    with ctx.db.read() as session:
        page = task_view.build(ctx, session, auth.current_actor(), task_id, posted, errors)
        return render_template("tasklist/task.html", page=page), status


@blueprint.post("/tasks/<task_id>")
def task_form(task_id):
    """One form, several buttons: add or remove a row, save a draft, or submit. Files chosen
    in file fields are stored first, whichever button was pressed."""
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        task = user_tasks.get_task(session, actor, task_id)
        form = task_view.with_called_form(ctx, session, task,
                                          user_tasks.form_of(ctx, session, actor, task_id))
    schema = form["schema"] or {}
    values = form_input.parse(schema, request.form)
    refused = _store_uploads(task, form, values)
    if refused:
        return _render(task_id, values, refused, 400)
    if "_add_row" in request.form:
        form_input.add_row(schema, values, request.form["_add_row"])
        return _render(task_id, values)
    if "_remove_row" in request.form:
        form_input.remove_row(values, request.form["_remove_row"])
        return _render(task_id, values)
    if request.form.get("_action") == "resolve":
        with ctx.db.command() as session:
            task_actions.resolve(ctx, session, actor, task_id, values,
                                 request.form.get("opinion", "").strip() or None)
        flash("action.resolved", "key")
        return redirect(url_for("tasklist.inbox"))
    if request.form.get("_action") == "save":
        with ctx.db.command() as session:
            drafts.save(ctx, session, actor, task_id, values)
        flash("draft.saved", "key")
        return redirect(url_for("tasklist.task", task_id=task_id))
    return _submit(task_id, values)


def _store_uploads(task, form: dict, values: dict) -> list[dict]:
    """Keep each file chosen in a file field as an attachment of the instance and the task;
    the field's value becomes its reference. A refused file (type, size) is reported beside
    its field, and the field keeps the file it had."""
    ctx, actor, errors = context(), auth.current_actor(), []
    hints = (form["ui"] or {}).get("fields") or {}
    for name, upload in request.files.items(multi=True):
        field_schema = form_input.schema_at(form["schema"] or {}, name)
        if not upload.filename or not is_file_field(field_schema, hints.get(hint_key(name)) or {}):
            continue
        try:
            with ctx.db.command() as session:
                stored = collaboration.add_attachment(
                    ctx, session, actor, task.instance_id, upload.filename, upload.mimetype,
                    upload.read(), task.id)
        except ServiceError as refusal:
            errors.append(_field_error(name, field_schema, refusal.message))
        else:
            form_input.set_value(values, name, attachment_reference(stored["id"]))
    return errors


def _field_error(name: str, field_schema: dict, message: str) -> dict:
    """A service message (`中文 / English`) as an error beside the field."""
    chinese, _, english = message.partition(" / ")
    title = field_schema.get("title") or name
    return {"field": name, "message": f"{title}：{chinese}",
            "message_en": f"{title}: {english or chinese}"}


def _submit(task_id: str, values: dict):
    ctx, actor = context(), auth.current_actor()
    try:
        with ctx.db.command() as session:
            user_tasks.complete(ctx, session, actor, task_id, values)
    except BadRequest as refused:
        # Everything typed comes back, with each message beside its field.
        errors = refused.errors or [{"field": "", "message": refused.message}]
        return _render(task_id, values, errors, 400)
    flash("task.submitted", "key")
    return redirect(url_for("tasklist.inbox"))


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
        return _inert_download(definition.bpmn_xml, PurePosixPath(definition.resource_name).name)


def _inert_download(xml: bytes, file_name: str) -> Response:
    """A model file as data only: the viewer fetches it, a browser opening it runs nothing."""
    return inert(send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=True,
                           download_name=file_name))
