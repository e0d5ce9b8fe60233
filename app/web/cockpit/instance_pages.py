"""The cockpit's instance list (filter, sort, page), its Excel export, and one instance:
its path on the diagram, its outcome, variables, history, called processes, jobs and
incidents."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

from app.platform import instance_operations, instance_search
from app.tic import outcomes

from . import blueprint, instance_filters
from .. import auth
from ..current import context
from .xlsx_export import instances_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/instances")
def instances():
    listed = instance_filters.parse(request.args)
    ctx = context()
    with ctx.db.read() as session:
        actor = auth.current_actor()
        rows, total = instance_search.search(session, actor, listed.query, listed.page, ctx.now())
        choices = instance_search.filter_choices(session, actor)
        return render_template("cockpit/instances.html", rows=rows, total=total, listed=listed,
                               choices=choices, page_size=instance_filters.PAGE_SIZE,
                               count_limit=instance_search.COUNT_LIMIT, active_box="cockpit.overview")


@blueprint.get("/instances.xlsx")
def export_instances():
    listed = instance_filters.parse(request.args)
    ctx = context()
    with ctx.db.read() as session:
        rows = instance_search.export(session, auth.current_actor(), listed.query, ctx.now())
    stamp = ctx.now().strftime("%Y%m%d")
    return instances_workbook(rows), 200, {
        "Content-Type": XLSX,
        "Content-Disposition": f"attachment; filename=\"instances-{stamp}.xlsx\"",
    }


@blueprint.get("/instances/<instance_id>")
def instance(instance_id):
    return instance_page(instance_id)


def instance_page(instance_id: str, refused: Refused | None = None):
    """The instance's page; `refused` is an operation sent back with its errors and what
    was typed into it."""
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        case = outcomes.case_file(ctx, session, actor, instance_id)
        detail = case.detail
        path = {"finished": detail.finished_ids, "active": detail.active_ids,
                "end": detail.end_event.activity_id if detail.end_event else None}
        operates = instance_operations.may_operate(actor) and detail.state == "running"
        moves = instance_operations.move_choices(detail.definition, detail.active_ids) if operates else None
        page = render_template("cockpit/instance.html", case=case, detail=detail, path=path,
                               operates=operates, moves=moves, refused=refused,
                               active_box="cockpit.overview")
    return (page, refused.status) if refused else page


@dataclass(frozen=True)
class Refused:
    """An operation the platform refused: which form, its errors by field, what was typed."""

    form: str
    message: str
    errors: dict[str, list[str]]
    values: dict[str, str]
    status: int
