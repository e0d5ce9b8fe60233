"""The public 公示 pages (/publicity, /publicity/<id>): no sign-in; anyone reads the current
and past 公示 and may object to one still open. CSRF-protected like every other form; the
service validates and throttles."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.core.errors import ServiceError
from app.tic import objections, publicity

from ..auth import csrf, i18n
from ..current import context
from .messages import MESSAGES

blueprint = Blueprint("publicity_pages", __name__, template_folder="templates")
blueprint.before_request(csrf.protect)
i18n.register(MESSAGES)


@blueprint.get("/publicity")
def publicity_list():
    with context().db.read() as session:
        groups = publicity.public_list(session)
    return render_template("publicity_pages/list.html", groups=groups)


@blueprint.get("/publicity/<int:publicity_id>")
def publicity_page(publicity_id: int):
    return _page(publicity_id, {}, {})


@blueprint.post("/publicity/<int:publicity_id>")
def object_to(publicity_id: int):
    form = {key: request.form.get(key, "") for key in ("name", "contact", "text")}
    ctx = context()
    try:
        with ctx.db.command() as session:
            objections.submit(ctx, session, publicity_id, form, request.remote_addr)
    except ServiceError as error:
        errors = {e["field"]: e["message"] for e in error.errors}
        return _page(publicity_id, form, errors, error.message), error.status
    flash(i18n.t("publicity.received"))
    return redirect(url_for("publicity_pages.publicity_page", publicity_id=publicity_id))


def _page(publicity_id: int, values: dict, errors: dict, refusal: str | None = None):
    with context().db.read() as session:
        entry = publicity.public_detail(session, publicity_id)
    return render_template("publicity_pages/detail.html", p=entry, values=values, errors=errors, refusal=refusal,
                           limits=objections)
