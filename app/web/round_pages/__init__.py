"""The application round pages (申报批次, /rounds): the department and its agency open a round,
edit it before it opens, close it, review its applications' formal review on one list, draw
and confirm their expert panels in bulk, and read its ranking (择优); the services decide who may, the pages only show."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.clock import to_shanghai
from app.core import confidential
from app.core.errors import BadRequest
from app.platform import permissions
from app.tic import round_batches, round_panels, rounds

from .. import auth
from ..auth import i18n
from ..current import context
from ..tasklist import framed_blueprint
from .messages import MESSAGES

blueprint = framed_blueprint("round_pages", __name__)
i18n.register(MESSAGES)
ACTIVE = "round_pages.round_list"


@blueprint.get("/rounds")
def round_list():
    return _list_page({}, {})


@blueprint.post("/rounds")
def open_round():
    values = _form_values(request.form)
    ctx = context()
    try:
        with ctx.db.command() as session:
            row = rounds.open_round(ctx, session, auth.current_actor(), values)
            round_id = row.id
    except BadRequest as error:
        return _list_page(values, _by_field(error.errors), error.message), 400
    flash(i18n.t("rounds.created", id=round_id))
    return redirect(url_for("round_pages.round_page", round_id=round_id))


@blueprint.get("/rounds/<round_id>")
def round_page(round_id: str):
    return _round_page(round_id, None, {})


@blueprint.post("/rounds/<round_id>")
def edit_round(round_id: str):
    values = _form_values(request.form)
    ctx = context()
    try:
        with ctx.db.command() as session:
            rounds.edit_round(ctx, session, auth.current_actor(), round_id, values)
    except BadRequest as error:
        return _round_page(round_id, values, _by_field(error.errors), error.message), 400
    flash(i18n.t("rounds.saved"))
    return redirect(url_for("round_pages.round_page", round_id=round_id))


@blueprint.post("/rounds/<round_id>/close")
def close_round(round_id: str):
    ctx = context()
    with ctx.db.command() as session:
        rounds.close_round(ctx, session, auth.current_actor(), round_id)
    flash(i18n.t("rounds.closed"))
    return redirect(url_for("round_pages.round_page", round_id=round_id))


@blueprint.post("/rounds/<round_id>/formal-review")
def formal_review(round_id: str):
    rows = [{"taskId": task_id, "decision": request.form.get(f"decision_{task_id}", ""),
             "opinion": request.form.get(f"opinion_{task_id}", ""),
             "defects": request.form.get(f"defects_{task_id}", ""),
             "fixDeadline": request.form.get(f"fixDeadline_{task_id}", "")}
            for task_id in request.form.getlist("task")]
    outcomes = round_batches.review_batch(context(), auth.current_actor(), round_id, rows)
    return _batch_result(round_id, outcomes, {row["taskId"]: row for row in rows})


@blueprint.post("/rounds/<round_id>/expert-draw")
def draw_experts(round_id: str):
    return _batch_result(round_id, round_panels.draw_all(context(), auth.current_actor(), round_id), {})


@blueprint.post("/rounds/<round_id>/expert-panels")
def confirm_panels(round_id: str):
    outcomes = round_panels.confirm_all(context(), auth.current_actor(), round_id, request.form.getlist("confirm"))
    return _batch_result(round_id, outcomes, {})


def _batch_result(round_id: str, outcomes: list, posted: dict):
    """Back to the round when every row went through; else the page with each refused
    row's reason beside it and what was typed kept."""
    failed = {o.task_id: o.message for o in outcomes if not o.done}
    done = len(outcomes) - len(failed)
    if not failed:
        flash(i18n.t("rounds.batch_done", done=done, failed=0))
        return redirect(url_for("round_pages.round_page", round_id=round_id))
    return _round_page(round_id, None, {}, i18n.t("rounds.batch_done", done=done, failed=len(failed)),
                       batch_errors=failed, posted=posted), 400


def _list_page(values: dict, errors: dict, refusal: str | None = None):
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        found = rounds.list_rounds(session, actor, _today(ctx))
    return render_template("round_pages/rounds.html", rounds=found, values=values, errors=errors,
                           refusal=refusal, coverable=rounds.COVERABLE, may_keep=_may_keep(actor),
                           active_box=ACTIVE)


def _round_page(round_id: str, values: dict | None, errors: dict, refusal: str | None = None,
                batch_errors: dict | None = None, posted: dict | None = None):
    ctx, actor = context(), auth.current_actor()
    may_keep = _may_keep(actor)
    with ctx.db.read() as session:
        shown = rounds.get_round(session, actor, round_id, _today(ctx))
        waiting = round_batches.waiting_for_formal_review(session, actor, round_id) if may_keep else []
        sees_panels = may_keep and confidential.sees_all(actor)
        assigning = round_panels.waiting_for_experts(session, actor, round_id) if sees_panels else None
        ranking = round_batches.round_ranking(session, actor, round_id) if confidential.sees_all(actor) else None
    return render_template(
        "round_pages/round.html", r=shown, values=values or _values_of(shown), errors=errors, refusal=refusal,
        coverable=rounds.COVERABLE, may_keep=may_keep, waiting=waiting, assigning=assigning, ranking=ranking,
        batch_errors=batch_errors or {}, posted=posted or {}, active_box=ACTIVE)


def _may_keep(actor) -> bool:
    return permissions.rounds_refusal(actor, keeping=True) is None


def _today(ctx):
    return to_shanghai(ctx.now()).date()


def _by_field(errors: list[dict]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for item in errors:
        by_field.setdefault(item["field"], []).append(item["message"])
    return by_field


def _values_of(shown) -> dict:
    return {"title": shown.title, "opensOn": shown.opens_on.isoformat(), "closesOn": shown.closes_on.isoformat(),
            "fields": list(shown.fields), "quota": str(shown.quota)}


def _form_values(form) -> dict:
    """The posted round as typed, kept whole for the form when it is refused."""
    return {"title": form.get("title", ""), "opensOn": form.get("opensOn", ""),
            "closesOn": form.get("closesOn", ""), "fields": form.getlist("fields"), "quota": form.get("quota", "")}
