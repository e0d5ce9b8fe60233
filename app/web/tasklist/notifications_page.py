"""Notifications: the list (newest first) and marking them read."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.platform import notifications, queries

from . import blueprint, context
from .. import auth

PAGE_SIZE = 30


def unread_count() -> int:
    with context().db.read() as session:
        return notifications.unread_count(session, auth.current_actor())


@blueprint.get("/notifications")
def notifications_list():
    page = max(request.args.get("page", 1, type=int), 1)
    unread_only = request.args.get("unread") == "1"
    with context().db.read() as session:
        rows = notifications.list_notifications(
            session, auth.current_actor(), unread_only,
            queries.Page((page - 1) * PAGE_SIZE, PAGE_SIZE + 1))
    return render_template("tasklist/notifications.html", rows=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, unread_only=unread_only,
                           active_box="notifications")


@blueprint.post("/notifications/read")
def notifications_read():
    """Mark one notification read (and open what it is about), or all of them."""
    chosen = request.form.get("id", "all")
    ids = notifications.ALL if chosen == "all" else [int(chosen)] if _is_id(chosen) else []
    ctx = context()
    with ctx.db.command() as session:
        notifications.mark_read(ctx, session, auth.current_actor(), ids)
    target = request.form.get("open")
    return redirect(auth.safe_next(target, url_for("tasklist.notifications_list")))


def _is_id(text: str) -> bool:
    """A notification id as the page writes it: ASCII digits in the id column's range."""
    return text.isascii() and text.isdigit() and int(text) <= notifications.MAX_ID
