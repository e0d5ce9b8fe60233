"""/admin/documents: the kinds of official documents and each kind's template, edited with a
PDF preview on sample data; a template that does not render comes back with the error
naming its line and the draft as typed. The use cases (`app.tic.document_templates`)
decide who may and audit each save."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from app.core.errors import BadRequest
from app.tic import document_templates

from . import blueprint, command, read, refused_form
from ..headers import inert

ACTIVE = "admin.documents"


@blueprint.get("/admin/documents")
def documents():
    return render_template("admin/documents.html", kinds=read(document_templates.kinds), active_box=ACTIVE)


@blueprint.get("/admin/documents/<kind>")
def document_template(kind: str):
    return _editor(kind, None)


@blueprint.post("/admin/documents/<kind>")
def save_document_template(kind: str):
    body = request.form.get("body", "")
    try:
        command(document_templates.save, kind, body)
    except BadRequest as error:
        return _refused(kind, body, error)
    flash("admin.saved", "key")
    return redirect(url_for("admin.document_template", kind=kind))


@blueprint.post("/admin/documents/<kind>/preview")
def preview_document_template(kind: str):
    body = request.form.get("body", "")
    try:
        pdf = read(document_templates.preview, kind, body)
    except BadRequest as error:
        return _refused(kind, body, error)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "inline; filename=preview.pdf"
    return inert(response)


@blueprint.post("/admin/documents/<kind>/restore")
def restore_document_template(kind: str):
    command(document_templates.restore, kind)
    flash("admin.document_restored", "key")
    return redirect(url_for("admin.document_template", kind=kind))


def _editor(kind: str, body: str | None):
    shown = read(document_templates.editor, kind)
    return render_template("admin/document.html", kind_page=shown, body=shown["body"] if body is None else body,
                           errors={}, refusal=None, active_box=ACTIVE)


def _refused(kind: str, body: str, error: BadRequest):
    shown = read(document_templates.editor, kind)
    return refused_form("admin/document.html", error, kind_page=shown, body=body, active_box=ACTIVE)
