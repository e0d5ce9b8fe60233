"""The expert pool pages (专家库, /experts): the department and its agency keep each expert's
record, export the pool and import it back; the services decide who may, the pages only show."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.core.errors import BadRequest
from app.platform import permissions
from app.tic import expert_pool
from app.tic.registry import FIELD_NAMES

from .. import auth, xlsx
from ..auth import i18n
from ..current import context
from ..tasklist import framed_blueprint
from .messages import MESSAGES

blueprint = framed_blueprint("expert_pages", __name__)
i18n.register(MESSAGES)
ACTIVE = "expert_pages.experts"
# Blank rows the record form offers for past affiliations beside those kept.
SPARE_AFFILIATIONS = 2


@blueprint.get("/experts")
def experts():
    field, text = request.args.get("field") or None, (request.args.get("q") or "").strip() or None
    with context().db.read() as session:
        found = expert_pool.list_experts(session, auth.current_actor(), field, text)
    return _list(found, field, text)


def _list(found, field, text, refusal: str | None = None, errors: list | None = None):
    actor = auth.current_actor()
    return render_template(
        "expert_pages/experts.html", experts=found, fields=FIELD_NAMES, field=field, q=text or "",
        may_keep=permissions.expert_pool_refusal(actor, keeping=True) is None, refusal=refusal,
        errors=errors or [], active_box=ACTIVE)


@blueprint.get("/experts/export.xlsx")
def export():
    with context().db.read() as session:
        data = expert_pool.export_xlsx(session, auth.current_actor())
    return xlsx.download(data, "专家库.xlsx")


@blueprint.post("/experts/import")
def import_upload():
    upload = request.files.get("file")
    ctx = context()
    try:
        with ctx.db.command() as session:
            count = expert_pool.import_xlsx(ctx, session, auth.current_actor(), upload.read() if upload else b"")
    except BadRequest as error:
        with ctx.db.read() as session:
            found = expert_pool.list_experts(session, auth.current_actor())
        return _list(found, None, None, error.message, error.errors), 400
    flash(i18n.t("experts.imported", n=count))
    return redirect(url_for("expert_pages.experts"))


@blueprint.get("/experts/<user_id>")
def expert(user_id: str):
    with context().db.read() as session:
        shown = expert_pool.get_expert(session, auth.current_actor(), user_id)
    return _record_page(shown, _values_of(shown), {})


@blueprint.post("/experts/<user_id>")
def save(user_id: str):
    values = _form_values(request.form)
    ctx = context()
    try:
        with ctx.db.command() as session:
            expert_pool.save_expert(ctx, session, auth.current_actor(), user_id, values)
    except BadRequest as error:
        with ctx.db.read() as session:
            shown = expert_pool.get_expert(session, auth.current_actor(), user_id)
        by_field: dict[str, list[str]] = {}
        for item in error.errors:
            by_field.setdefault(item["field"], []).append(item["message"])
        return _record_page(shown, values, by_field, error.message), 400
    flash(i18n.t("experts.saved"))
    return redirect(url_for("expert_pages.expert", user_id=user_id))


def _record_page(shown, values: dict, errors: dict, refusal: str | None = None):
    affiliations = list(values["affiliations"]) + [{"organization": "", "from": "", "to": ""}] * SPARE_AFFILIATIONS
    may_keep = permissions.expert_pool_refusal(auth.current_actor(), keeping=True) is None
    return render_template("expert_pages/expert.html", e=shown, values=values, affiliations=affiliations,
                           fields=FIELD_NAMES, errors=errors, refusal=refusal, may_keep=may_keep,
                           active_box=ACTIVE)


def _values_of(e) -> dict:
    return {"fields": list(e.fields), "title": e.title or "", "phone": e.phone or "", "email": e.email or "",
            "in_region": e.in_region, "available": e.available, "in_pool": e.in_pool,
            "affiliations": list(e.affiliations)}


def _form_values(form) -> dict:
    """The posted record as typed, kept whole for the form when it is refused."""
    rows = zip(form.getlist("affiliation_organization"), form.getlist("affiliation_from"),
               form.getlist("affiliation_to"))
    return {"fields": form.getlist("fields"), "title": form.get("title", ""), "phone": form.get("phone", ""),
            "email": form.get("email", ""), "in_region": form.get("in_region") == "on",
            "available": form.get("available") == "on", "in_pool": form.get("in_pool") == "on",
            "affiliations": [{"organization": o, "from": f, "to": t} for o, f, t in rows if o.strip()]}

