"""/modeler/bpmn/<processKey> (and ?version=N): the modeler for analysts and admins, with
their draft if they kept one; the read-only diagram for everyone else. /modeler/new: a
blank diagram, or a file opened from disk, not stored until saved or deployed."""
from __future__ import annotations

import io

from flask import render_template, request, send_file, url_for

from app.core.errors import NotFound
from app.platform import model_catalog, model_editing

from . import blueprint, context
from .. import auth
from ..headers import inert

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="definitions_new" targetNamespace="http://tic-flow/bpmn">
  <bpmn:process id="new_process" name="新流程" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_new">
    <bpmndi:BPMNPlane id="plane_new" bpmnElement="new_process">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36"/></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _version_arg() -> int | None:
    version = request.args.get("version", type=int)
    if "version" in request.args and (version is None or version < 1):
        raise NotFound(f"没有第 {request.args['version'][:20]} 版 / no such version")
    return version


def _process(session, key: str) -> model_catalog.Model | None:
    return next((m for m in model_catalog.processes(session) if m.key == key), None)


@blueprint.get("/bpmn/<key>")
def bpmn(key):
    ctx, actor = context(), auth.current_actor()
    version = _version_arg()
    editing = model_editing.may_edit(actor)
    with ctx.db.read() as session:
        model = _process(session, key)
        draft = model_editing.draft_of(session, actor, key) if editing and version is None else None
    if model is None and draft is None:
        raise NotFound(f"流程 {key} 尚未部署 / process {key} is not deployed")
    if version is not None and (model is None or all(v.version != version for v in model.versions)):
        raise NotFound(f"流程 {key} 没有第 {version} 版 / no version {version} of {key}")
    source = {"draft": 1} if draft is not None else ({"version": version} if version else {})
    return render_template(
        "modeler/editor.html", key=key, model=model, draft=draft, version=version,
        mode="edit" if editing else "view",
        xml_url=url_for("modeler.bpmn_xml", key=key, **source))


@blueprint.get("/bpmn/<key>/xml")
def bpmn_xml(key):
    """The diagram the page loads: a deployed version, or the caller's own draft."""
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        if request.args.get("draft"):
            draft = model_editing.draft_of(session, actor, key)
            if draft is None:
                raise NotFound(f"没有流程 {key} 的草稿 / no draft of {key}")
            xml = draft.xml
        else:
            _, xml = model_catalog.process_xml(session, key, _version_arg())
    return inert(send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=True,
                           download_name=model_editing.file_name(key)))


@blueprint.get("/new")
def new():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        model_editing.require_editor(ctx, session, actor, "model.new", "modeler")
    return render_template("modeler/editor.html", key=None, model=None, draft=None, version=None,
                           mode="new", xml_url="", blank=BLANK)
