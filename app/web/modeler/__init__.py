"""The analysts' modeler (流程建模): the list of deployed models, the BPMN modeler with its
checks, drafts and deployment, and the read-only diagram for everyone else. Pages and the
JSON the modeler script reads; the platform decides who may edit (model_editing)."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template, request

from app.core.errors import ServiceError
from app.platform import model_editing

from .. import auth
from ..auth import csrf, i18n
from ..tasklist import frame_globals as tasklist_frame
from .messages import MESSAGES

blueprint = Blueprint("modeler", __name__, template_folder="templates", url_prefix="/modeler")
blueprint.before_request(csrf.protect)
blueprint.before_request(auth.require_login)
i18n.register(MESSAGES)
# Endpoints the modeler script calls: their refusals are JSON, not a page.
JSON_ENDPOINTS = {"modeler.check", "modeler.save_draft", "modeler.deploy", "modeler.choices"}


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)


def context():
    return current_app.extensions["ticflow"]


@blueprint.context_processor
def frame_globals():
    """The tasklist's frame (sidebar, counts), with the modeler entry active."""
    return {**tasklist_frame(), "active_box": "modeler"}


@blueprint.app_template_global()
def may_model(actor) -> bool:
    """Whether the sidebar offers the modeler (analysts and admins)."""
    return model_editing.may_edit(actor)


def group_label(group: str) -> str:
    try:
        return i18n.t(f"group.{group}")
    except KeyError:
        return group


@blueprint.errorhandler(ServiceError)
def service_error(error: ServiceError):
    if request.endpoint in JSON_ENDPOINTS:
        return jsonify({"type": error.error_type, "message": i18n.bilingual(error.message),
                        "errors": problems_json(error.errors or [])}), error.status
    return render_template("modeler/error.html", error=error), error.status


def problems_json(problems) -> list[dict]:
    """Located problems as the script shows them, in the page's language."""
    english = i18n.language() == "en"
    shown = []
    for problem in problems:
        data = problem if isinstance(problem, dict) else problem.to_dict()
        shown.append({
            "severity": data.get("severity", "error"), "elementId": data.get("element_id"),
            "line": data.get("line"), "column": data.get("column"), "file": data.get("file"),
            "field": data.get("field"),
            "message": data.get("message_en") if english and data.get("message_en") else
            data.get("message_zh") or data.get("message"),
        })
    return shown


from . import (  # noqa: E402,F401  (the routes)
    catalog_page, dmn_page, editor_api, editor_page, form_editor_page, migration_page, versions_page,
)
