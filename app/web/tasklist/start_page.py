"""The start page: what this user may start (only what is deployed), and starting it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.core.authorization import require_can_start
from app.core.errors import BadRequest, Forbidden
from app.platform import inbox, permissions, queries
from app.platform.deployment import latest_definition
from app.platform.process_instances import start_process
from app.tic import applications

from . import blueprint, context
from .. import auth

# What officers start by hand (the service numbers each case: app/tic/case_numbers.py).
START_OFFERS = ("tic_establishment", "tic_major_change")


@blueprint.get("/start")
def start():
    return _page()


def _page(refusal: str | None = None):
    actor = auth.current_actor()
    ctx = context()
    with ctx.db.read() as session:
        offers = [key for key in START_OFFERS if _startable(session, actor, key)]
        queue = _queue(ctx, session, actor) if permissions.sees_queue(actor) else None
    return render_template("tasklist/start.html", offers=offers, queue=queue, refusal=refusal,
                           active_box="start")


def _queue(ctx, session, actor) -> list[dict]:
    """Per process and step: how many wait to be claimed, and how many the actor holds."""
    from .inbox_page import process_choices

    rows, now = [], ctx.now()
    for process in process_choices(ctx, session, actor):
        for key, name in process["steps"]:
            counts = {box: _count(session, actor, box, process["key"], key, now)
                      for box in ("claimable", "todo")}
            if any(counts.values()):
                rows.append({"process": process["name"], "process_key": process["key"],
                             "step": name, "task_key": key, **counts})
    return rows


def _count(session, actor, box: str, process_key: str, task_key: str, now) -> int:
    _rows, total = inbox.inbox(session, actor, box,
                               inbox.InboxFilter(process_key=process_key, task_key=task_key),
                               page=queries.Page(0, 0), now=now)
    return total


def _startable(session, actor, key: str) -> bool:
    definition = latest_definition(session, key)
    if definition is None or definition.suspended:
        return False
    try:
        require_can_start(actor, definition)
    except Forbidden:
        return False
    return True


@blueprint.post("/start/<key>")
def start_submit(key):
    """Start the process (the service gives it its number), then open its first task."""
    if key not in START_OFFERS:
        abort(404)
    ctx, actor = context(), auth.current_actor()
    try:
        with ctx.db.command() as session:
            instance = start_process(ctx, session, actor, key=key,
                                     variables=applications.starting_values(session, actor, key))
    except BadRequest as error:
        # A refused start (no application round open) is told on the page it came from.
        return _page(error.message), 400
    with ctx.db.read() as session:
        first = queries.list_tasks(session, actor, queries.TaskFilter(process_instance_id=instance.id),
                                   queries.Page(0, 1))
    flash(instance.business_key, "started")
    if first:
        return redirect(url_for("tasklist.task", task_id=first[0].id))
    return redirect(url_for("tasklist.inbox", box="started"))

