"""The officers' Tasklist (审批系统): inbox boxes, the task page with its form, the start
page and notifications. Server-rendered pages that read without JavaScript."""
from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, render_template, url_for

from app.clock import parse_client_datetime, to_shanghai
from app.core import directory
from app.core.errors import ServiceError

from .. import auth, model_labels
from ..current import context
from ..auth import csrf, i18n
from .messages import MESSAGES

blueprint = Blueprint("tasklist", __name__, template_folder="templates")
blueprint.before_request(csrf.protect)
blueprint.before_request(auth.require_login)
i18n.register(MESSAGES)


def register(app: Flask) -> None:
    """Add the officers' pages to the app: sign-in and the tasklist."""
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(blueprint)


@blueprint.app_template_filter("local")
def local_time(value, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as officers read it: Asia/Shanghai (a time the read models already
    wrote in Camunda's format too, never shown as that string)."""
    local = to_shanghai(parse_client_datetime(value) if isinstance(value, str) and value else value)
    return local.strftime(pattern) if local else ""


@blueprint.app_template_filter("person")
def person_label(user_id: str | None) -> str:
    """A user id as people read it on every page: name (unit), looked up once per request."""
    if not user_id:
        return ""
    labels = g.setdefault("person_labels", {})
    if user_id not in labels:
        with context().db.read() as session:
            labels[user_id] = directory.label_of(session, user_id)
    return labels[user_id]


# Process and step names in the page's language, on every face (cockpit and dashboard too).
blueprint.add_app_template_global(model_labels.step_label, "step_label")
blueprint.add_app_template_global(model_labels.step_labels, "step_labels")
blueprint.add_app_template_global(model_labels.process_label, "process_label")


@blueprint.context_processor
def frame_globals():
    from .inbox_page import BOXES, box_counts
    from .notifications_page import unread_count

    return {"current_actor": auth.current_actor, "boxes": BOXES, "box_counts": box_counts,
            "unread_count": unread_count, "now": context().now, "active_box": None}


@blueprint.errorhandler(ServiceError)
def service_error(error: ServiceError):
    return render_template("tasklist/error.html", error=error), error.status


@blueprint.errorhandler(404)
def not_found(_error):
    return render_template("tasklist/error.html", error=None), 404


def framed_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of pages in the Tasklist's frame (top bar, side navigation and its counts,
    the Chinese error pages), for signed-in users, every form with its CSRF token."""
    framed = Blueprint(name, import_name, template_folder="templates", **options)
    framed.before_request(csrf.protect)
    framed.before_request(auth.require_login)
    framed.context_processor(frame_globals)
    framed.register_error_handler(ServiceError, service_error)
    framed.register_error_handler(404, not_found)
    return framed


# Whoever has no inbox work but models processes starts at the modeler.
MODELER_HOME_GROUPS = frozenset({"analyst"})


@blueprint.get("/")
def home():
    if auth.current_actor().groups & MODELER_HOME_GROUPS:
        return redirect(url_for("modeler.catalog"))
    return redirect(url_for("tasklist.inbox"))


from . import (  # noqa: E402,F401  (the routes)
    actions_page, inbox_page, instance_page, notifications_page, start_page, task_page,
)
