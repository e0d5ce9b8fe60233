"""The JSON the modeler script calls: the checks while editing, saving a draft, deploying,
and the choices it offers (element templates, deployed forms, real groups). Posts are form
encoded with the page's CSRF token, like every other form of the pages."""
from __future__ import annotations

from flask import jsonify, request, url_for

from app.core.errors import BadRequest
from app.platform import element_templates, model_catalog, model_editing

from . import blueprint, context, group_label, problems_json
from .. import auth
from ..auth import i18n
from ..tasklist import local_time


def _posted_xml() -> bytes:
    xml = request.form.get("xml", "")
    if not xml.strip():
        raise BadRequest("没有收到流程图 / no diagram posted", [{"field": "xml", "message": "缺少流程图"}])
    return xml.encode("utf-8")


def _checked_json(checked) -> dict:
    return {"key": checked.key, "errors": problems_json(checked.errors),
            "warnings": problems_json(checked.warnings)}


@blueprint.post("/check")
def check():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        checked = model_editing.check(ctx, session, actor, _posted_xml())
    return jsonify(_checked_json(checked))


@blueprint.post("/drafts")
def save_draft():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        checked, saved_at = model_editing.save_draft(ctx, session, actor, _posted_xml())
    return jsonify({**_checked_json(checked), "savedAt": local_time(saved_at, "%Y-%m-%d %H:%M:%S"),
                    "url": url_for("modeler.bpmn", key=checked.key)})


@blueprint.post("/deploy")
def deploy():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        deployed = model_editing.deploy(ctx, session, actor, _posted_xml())
    if deployed.version is None:
        message, label = i18n.t("dmn.unchanged" if deployed.kind == "dmn" else "modeler.unchanged"), ""
    else:
        message = i18n.t(f"modeler.deployed_{deployed.kind}", version=deployed.version)
        label = i18n.t("modeler.version_n", version=deployed.version)
    return jsonify({"key": deployed.key, "version": deployed.version, "message": message,
                    "versionLabel": label, "errors": [], "warnings": problems_json(deployed.warnings),
                    "url": url_for("modeler.bpmn", key=deployed.key) if deployed.kind == "bpmn" else None})


@blueprint.get("/choices.json")
def choices():
    """What the properties panel offers: templates, form keys and groups (editors only)."""
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        model_editing.require_editor(ctx, session, actor, "model.choices", "modeler")
    with ctx.db.read() as session:
        forms = model_catalog.forms(session)
        decisions = model_catalog.decision_tables(session)
        groups = model_catalog.groups(session)
    templates = element_templates.all_templates(ctx.handlers.topic_infos(), decisions, forms)
    return jsonify({
        "templates": templates,
        "forms": [{"value": f.key, "label": f.name} for f in forms],
        "groups": [{"value": g, "label": group_label(g)} for g in groups],
    })
