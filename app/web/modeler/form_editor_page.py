"""/modeler/forms/<formKey> (and ?version=N): a form's JSON Schema and UI hints in two
editors beside the form as officers see it (the Tasklist's own renderer), for analysts and
admins to edit, check with a sample and deploy; read-only for everyone else. The posts are
form encoded with the page's CSRF token and answer JSON; form_editing decides and checks."""
from __future__ import annotations

import json

from flask import jsonify, render_template, request
from markupsafe import Markup

from app.core.errors import NotFound, ValidationFailed
from app.platform import form_editing, model_catalog, model_editing, task_forms

from . import JSON_ENDPOINTS, blueprint, context
from .editor_page import _version_arg
from .. import auth
from ..auth import i18n
from ..tasklist import form_input
from ..tasklist.task_view import field_messages, form_fields
from .form_messages import MESSAGES

i18n.register(MESSAGES)
JSON_ENDPOINTS.update({"modeler.form_preview", "modeler.form_sample", "modeler.form_deploy"})
# A chosen file would become an attachment of the case; a sample stores none, so this
# reference stands for it (a required file field passes once a file is chosen).
SAMPLE_FILE = task_forms.attachment_reference("sample")


@blueprint.get("/forms/<path:key>")
def form_editor(key):
    ctx, actor = context(), auth.current_actor()
    version = _version_arg()
    with ctx.db.read() as session:
        model = next((m for m in model_catalog.forms(session) if m.key == key), None)
        if model is None:
            raise NotFound(f"表单 {key} 尚未部署 / form {key} is not deployed")
        schema_text, ui_text, shown = form_editing.source(session, key, version)
        try:
            preview, problems = _preview(session, form_editing.pair(key, schema_text, ui_text)), []
        except form_editing.FormRefused as refused:  # deployed before the UI hints were checked
            preview, problems = Markup(""), refused.errors
    return render_template(
        "modeler/form_editor.html", key=key, model=model, version=version, shown=shown,
        schema_text=schema_text, ui_text=ui_text, preview=preview, problems=problems,
        mode="edit" if model_editing.may_edit(actor) else "view")


def _texts() -> tuple[str, str]:
    return request.form.get(form_editing.SCHEMA_FIELD, ""), request.form.get(form_editing.UI_FIELD, "")


def _checked(key: str, action: str) -> form_editing.Pair:
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        return form_editing.checked(ctx, session, actor, key, *_texts(), action)


@blueprint.post("/forms/<path:key>/preview")
def form_preview(key):
    form = _checked(key, "form.preview")
    with context().db.read() as session:
        return jsonify({"html": _preview(session, form), "errors": []})


@blueprint.post("/forms/<path:key>/sample")
def form_sample(key):
    """The preview's form posted as an officer would submit it, checked the same way."""
    form = _checked(key, "form.sample")
    values = _sample_values(form.schema)
    try:
        form_editing.try_sample(form, values)
    except ValidationFailed as refused:
        with context().db.read() as session:
            html = _preview(session, form, values, refused.errors)
        return jsonify({"type": refused.error_type, "message": i18n.t("form_editor.sample_refused"),
                        "errors": refused.errors, "html": html}), refused.status
    with context().db.read() as session:
        html = _preview(session, form, values, passed=True)
    return jsonify({"message": i18n.t("form_editor.sample_passed"), "values": values,
                    "errors": [], "html": html})


def _sample_values(schema: dict) -> dict:
    values = form_input.parse(schema, request.form)
    for name, upload in request.files.items(multi=True):
        if upload.filename:
            task_forms.set_value(values, name, SAMPLE_FILE)
    return values


@blueprint.post("/forms/<path:key>/deploy")
def form_deploy(key):
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        deployed = form_editing.deploy(ctx, session, actor, key, *_texts())
    if deployed.version is None:
        message, label = i18n.t("form_editor.unchanged"), None
    else:
        message = i18n.t("form_editor.deployed", version=deployed.version)
        label = i18n.t("modeler.version_n", version=deployed.version)
    return jsonify({"key": key, "version": deployed.version, "message": message,
                    "versionLabel": label, "errors": []})


def _preview(session, form: form_editing.Pair, values: dict | None = None,
             errors: list[dict] | None = None, passed: bool = False) -> Markup:
    """The form as the task page renders it, with a sample's values and messages."""
    fields, unplaced = form_fields(session, form.schema, form.ui, values or {}, field_messages(errors or []))
    return Markup(render_template(
        "modeler/_form_preview.html", title=form.schema.get("title"), fields=fields,
        form_errors=unplaced, refused=bool(errors),
        passed=json.dumps(values, ensure_ascii=False, indent=2) if passed else None))
