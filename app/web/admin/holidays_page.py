"""/admin/holidays: the working-day calendar by year (节假日与调休): a day added, changed or
deleted, a year imported from the chinese-calendar package; next year's absence warned of
from 1 December."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for

from app.clock import to_shanghai
from app.core.errors import BadRequest
from app.platform import working_calendar

from . import auth, blueprint, command, context, read, refused_form

ACTIVE = "admin.holidays"


def _page(year_text, **shown) -> dict:
    ctx = context()
    year = _shown_year(year_text, ctx)
    with ctx.db.read() as session:
        warning = working_calendar.warning(ctx, session, auth.current_actor())
    return {"view": read(working_calendar.year_view, year), "warning": warning, "kinds": working_calendar.KINDS,
            "package_years": working_calendar.package_years(),
            "values": {}, "editing": None, "active_box": ACTIVE, **shown}


def _shown_year(text, ctx) -> int:
    try:
        return working_calendar.checked_year(text)
    except BadRequest:
        return to_shanghai(ctx.now()).year


@blueprint.get("/admin/holidays")
def holidays():
    return render_template("admin/holidays.html", errors={}, refusal=None, **_page(request.args.get("year")))


@blueprint.post("/admin/holidays")
def add_holiday():
    return _changed(lambda: command(working_calendar.save_day, request.form), editing=None)


@blueprint.post("/admin/holidays/<day>")
def update_holiday(day: str):
    return _changed(lambda: command(working_calendar.save_day, request.form, day), editing=day)


@blueprint.post("/admin/holidays/<day>/delete")
def delete_holiday(day: str):
    return _changed(lambda: command(working_calendar.delete_day, day), editing=day)


@blueprint.post("/admin/holidays/import")
def import_holidays():
    year = request.form.get("year", "")
    try:
        command(working_calendar.import_year, year)
    except BadRequest as error:
        return _refused(error, year, editing=None)
    flash("admin.holidays_imported", "key")
    return redirect(url_for("admin.holidays", year=working_calendar.checked_year(year)))


def _changed(change, editing: str | None):
    year = request.form.get("year") or request.args.get("year")
    try:
        changed: date = change()
    except BadRequest as error:
        return _refused(error, year, editing=editing)
    flash("admin.saved", "key")
    return redirect(url_for("admin.holidays", year=changed.year, _anchor=f"day-{changed.isoformat()}"))


def _refused(error: BadRequest, year, editing: str | None):
    return refused_form("admin/holidays.html", error, **_page(year, values=request.form, editing=editing))
