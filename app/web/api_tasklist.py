"""The officers' Tasklist under /api: inbox, what the actor may do with a task or a case,
退回, 撤回, 催办, 抄送, notifications.

HTTP Basic or the signed-in browser session (`api_auth`), error shapes as /engine-rest; dates as Camunda writes
them (Asia/Shanghai).
"""
from __future__ import annotations

from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import allowed_actions, inbox, notifications, process_instances, task_actions, user_tasks

from . import rest
from .current import context
from .rest import params
from .request_input import parse_int
from .rest.task_collaboration import camunda_dates

API_PREFIX = "/api"
# `due=<days>`: ten years ahead is further than any deadline the procedures set.
MAX_DUE_DAYS = 3650
blueprint = rest.json_api_blueprint("tasklist_api")


@blueprint.get("/tasks/<task_id>/actions")
def task_actions_allowed(task_id):
    """What the actor may do with the task: the answer the task page shows."""
    ctx = context()
    with ctx.db.read() as session:
        allowed = allowed_actions.for_task(ctx, session, g.actor, user_tasks.get_task(session, g.actor, task_id))
    return jsonify({
        "act": allowed.act, "claim": allowed.claim, "unclaim": allowed.unclaim,
        "complete": allowed.complete, "resolve": allowed.resolve, "urge": allowed.urge,
        "sendBackTo": allowed.send_back_to, "transferTo": _people(allowed.transfer_to),
        "delegateTo": _people(allowed.delegate_to), "seesConfidential": allowed.sees_confidential,
    })


@blueprint.get("/instances/<instance_id>/actions")
def case_actions_allowed(instance_id):
    """What the actor may do with the case: the answer the case page shows."""
    ctx = context()
    with ctx.db.read() as session:
        instance = process_instances.get_instance(session, g.actor, instance_id)
        allowed = allowed_actions.for_case(ctx, session, g.actor, instance)
    return jsonify({"withdraw": allowed.withdraw, "copyTo": _people(allowed.copy_to),
                    "urge": sorted(allowed.urge), "seesConfidential": allowed.sees_confidential})


def _people(people) -> list[dict]:
    return [{"id": p.id, "name": p.name, "organization": p.organization} for p in people]


@blueprint.post("/tasks/<task_id>/send-back")
def send_back(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        reopened = task_actions.send_back(ctx, session, g.actor, task_id, body.get("activityId"),
                                          body.get("opinion"))
    return jsonify({"taskId": reopened})


@blueprint.get("/tasks/<task_id>/return-targets")
def return_targets(task_id):
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(task_actions.return_targets(ctx, session, g.actor, task_id))


@blueprint.post("/instances/<instance_id>/withdraw")
def withdraw(instance_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        task_actions.withdraw(ctx, session, g.actor, instance_id, body.get("reason"))
    return "", 204


@blueprint.post("/tasks/<task_id>/urge")
def urge(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        notified = task_actions.urge(ctx, session, g.actor, task_id, body.get("message"))
    return jsonify({"notified": len(notified)})


@blueprint.post("/instances/<instance_id>/cc")
def carbon_copy(instance_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        added = task_actions.carbon_copy(ctx, session, g.actor, instance_id, body.get("userIds"),
                                         body.get("note"))
    return jsonify({"added": added})


@blueprint.get("/inbox")
def list_inbox():
    args = request.args
    sort = inbox.InboxSort(args.get("sort", "created"), _descending(args.get("order", "desc")))
    ctx = context()
    with ctx.db.read() as session:
        rows, total = inbox.inbox(session, g.actor, args.get("box", "todo"), _inbox_filter(),
                                  sort, params.api_page(), now=ctx.now())
    return jsonify({"items": [camunda_dates(r) for r in rows], "total": total,
                    "countLimit": inbox.COUNT_LIMIT})


def _inbox_filter() -> inbox.InboxFilter:
    """`due=overdue` or `due=<days>` (due within that many days); `q` searches the case."""
    args, due = request.args, request.args.get("due")
    within = None if due in (None, "", "overdue") else parse_int(due, "due", 0, MAX_DUE_DAYS)
    return inbox.InboxFilter(
        process_key=args.get("processKey"), task_key=args.get("taskKey"), overdue=due == "overdue",
        due_within_days=within, text=args.get("q"),
    )


def _descending(order: str) -> bool:
    if order not in ("asc", "desc"):
        raise BadRequest("参数 order 应为 asc 或 desc / order must be asc or desc")
    return order == "desc"


@blueprint.get("/inbox/counts")
def inbox_counts():
    with context().db.read() as session:
        return jsonify(inbox.counts(session, g.actor))


@blueprint.get("/notifications")
def list_notifications():
    unread_only = params.bool_arg("unreadOnly") is True
    with context().db.read() as session:
        items = notifications.list_notifications(session, g.actor, unread_only, params.api_page())
        unread = notifications.unread_count(session, g.actor)
    return jsonify({"items": [camunda_dates(n) for n in items], "unread": unread})


@blueprint.post("/notifications/read")
def mark_read():
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        marked = notifications.mark_read(ctx, session, g.actor, body.get("ids"))
    return jsonify({"marked": marked})
