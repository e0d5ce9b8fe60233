"""/modeler/dmn/<decisionKey> (and ?version=N): a deployed decision table in dmn-js, editable
by analysts and admins (checked and deployed through /modeler/check and /modeler/deploy),
read-only for everyone else; and its 试算 panel's endpoint, which evaluates the table as
edited on the page."""
from __future__ import annotations

import io

from flask import jsonify, render_template, request, send_file, url_for

from app.core.errors import BadRequest, NotFound
from app.platform import decision_tables, model_catalog, model_editing

from . import JSON_ENDPOINTS, blueprint, context
from .. import auth
from ..auth import i18n
from ..headers import inert
from .dmn_messages import MESSAGES
from .editor_page import _version_arg

i18n.register(MESSAGES)
# The 试算 panel's script reads refusals of the evaluation as JSON, like the checks'.
JSON_ENDPOINTS.add("modeler.dmn_evaluate")
# The panel posts one field per input column: INPUT_PREFIX + the column's id.
INPUT_PREFIX = "input."


def _table(session, key: str) -> model_catalog.Model | None:
    return next((m for m in model_catalog.decision_tables(session) if m.key == key), None)


@blueprint.get("/dmn/<key>")
def dmn(key):
    ctx, actor = context(), auth.current_actor()
    version = _version_arg()
    with ctx.db.read() as session:
        table = _table(session, key)
    if table is None:
        raise NotFound(f"决策表 {key} 尚未部署 / decision table {key} is not deployed")
    if version is not None and all(v.version != version for v in table.versions):
        raise NotFound(f"决策表 {key} 没有第 {version} 版 / no version {version} of {key}")
    return render_template(
        "modeler/dmn.html", key=key, model=table, version=version,
        mode="edit" if model_editing.may_edit(actor) else "view",
        xml_url=url_for("modeler.dmn_xml", key=key, **({"version": version} if version else {})))


@blueprint.get("/dmn/<key>/xml")
def dmn_xml(key):
    """The deployed table the page loads: the given version, or the latest."""
    ctx = context()
    with ctx.db.read() as session:
        xml = decision_tables.find_definition(session, key, _version_arg()).dmn_xml
    return inert(send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=True,
                           download_name=model_editing.file_name(key, "dmn")))


@blueprint.post("/dmn/<key>/evaluate")
def dmn_evaluate(key):
    ctx, actor = context(), auth.current_actor()
    values = {name.removeprefix(INPUT_PREFIX): value for name, value in request.form.items()
              if name.startswith(INPUT_PREFIX)}
    with ctx.db.command() as session:
        outcome = model_editing.try_table(ctx, session, actor, key, _posted_table(), values)
    return jsonify({"hitPolicy": outcome.hit_policy, "matched": [
        {"row": rule.row, "ruleId": rule.rule_id, "description": rule.description, "outputs": rule.outputs}
        for rule in outcome.matched]})


def _posted_table() -> bytes:
    xml = request.form.get("xml", "")
    if not xml.strip():
        raise BadRequest("没有收到决策表 / no decision table posted", [{"field": "xml", "message": "缺少决策表"}])
    return xml.encode("utf-8")
