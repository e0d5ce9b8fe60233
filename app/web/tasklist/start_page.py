"""The start page: what this user may start (only what is deployed), and starting it."""
from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, url_for

from app.clock import to_shanghai
from app.services import inbox, queries
from app.services.authorization import require_can_start
from app.services.deployment import latest_definition
from app.services.errors import Forbidden
from app.services.process_instances import start_process

from . import blueprint, context
from .. import auth

# What officers start by hand, and the prefix of the business key (application number)
# each gets: 申请 (SQ) for establishment, 变更 (BG) for a major change.
START_OFFERS = {"tic_establishment": "SQ", "tic_major_change": "BG"}
# Who sees the department's queue: open tasks per process and step.
QUEUE_GROUPS = frozenset({"department", "department_leader"})


@blueprint.get("/start")
def start():
    actor = auth.current_actor()
    ctx = context()
    with ctx.db.read() as session:
        offers = [key for key in START_OFFERS if _startable(session, actor, key)]
        queue = _queue(session, actor, ctx.now()) if actor.in_any(QUEUE_GROUPS) else None
    return render_template("tasklist/start.html", offers=offers, queue=queue, active_box="start")


def _queue(session, actor, now) -> list[dict]:
    """Per process and step: how many wait to be claimed, and how many the actor holds."""
    from .inbox_page import process_choices

    rows = []
    for process in process_choices(session):
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
    """Start the process with a new business key, then open its first task."""
    if key not in START_OFFERS:
        abort(404)
    ctx, actor = context(), auth.current_actor()
    business_key = _new_business_key(START_OFFERS[key])
    with ctx.db.command() as session:
        instance = start_process(ctx, session, actor, key=key, business_key=business_key)
    with ctx.db.read() as session:
        first = queries.list_tasks(session, actor, queries.TaskFilter(process_instance_id=instance.id),
                                   queries.Page(0, 1))
    flash(business_key, "started")
    if first:
        return redirect(url_for("tasklist.task", task_id=first[0].id))
    return redirect(url_for("tasklist.inbox", box="started"))


def _new_business_key(prefix: str) -> str:
    """An application number like SQ-2026-4F9A2C: the year (Asia/Shanghai) and six random
    hex digits, unique enough without a counter row that every starter would contend for."""
    year = to_shanghai(context().now()).year
    return f"{prefix}-{year}-{secrets.token_hex(3).upper()}"
