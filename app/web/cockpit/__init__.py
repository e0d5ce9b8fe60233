"""The cockpit (流程监控) for managers, department staff and administrators: every process
version's counts, each process's diagram with a badge per activity, the instances and each
instance's path. Server-rendered; the diagram and its badges are drawn by bpmn-js."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.core.errors import ServiceError

from .. import auth, tasklist
from ..auth import csrf, i18n
from .messages import MESSAGES

blueprint = Blueprint("cockpit", __name__, template_folder="templates", url_prefix="/cockpit")
blueprint.before_request(csrf.protect)
blueprint.before_request(auth.require_login)
# The pages sit in the Tasklist's frame (top bar, side navigation, its counts).
blueprint.context_processor(tasklist.frame_globals)
i18n.register(MESSAGES)


@blueprint.context_processor
def labels():
    return {"event_label": event_label}


def event_label(kind: str) -> str:
    """A history event's name in words; a kind with no label yet shows as it is stored."""
    try:
        return i18n.t(f"event.{kind}")
    except KeyError:
        return kind


@blueprint.errorhandler(ServiceError)
def service_error(error: ServiceError):
    return render_template("tasklist/error.html", error=error), error.status


@blueprint.errorhandler(404)
def not_found(_error):
    return render_template("tasklist/error.html", error=None), 404


from . import instance_pages, process_pages  # noqa: E402,F401  (the routes)
