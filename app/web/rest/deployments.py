"""Deployments: POST /deployment/create (multipart), GET /deployment."""
from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import queries
from app.platform.deployment import deploy

from . import blueprint, context, params, shapes

_FORM_FIELDS = {"deployment-name", "deployment-source", "enable-duplicate-filtering",
                "deploy-changed-only", "tenant-id", "deployment-activation-time"}


@blueprint.post("/deployment/create")
def create_deployment():
    files = {}
    for field_name, upload in request.files.items(multi=True):
        name = upload.filename or field_name
        if name in files:
            raise BadRequest(f"文件名重复：{name} / duplicate file name")
        files[name] = upload.read()
    ctx = context()
    with ctx.db.command() as session:
        result = deploy(ctx, session, g.actor, request.form.get("deployment-name") or "deployment",
                        files, source=request.form.get("deployment-source"))
        body = shapes.deployment(result.deployment, result.new_definitions, result.new_decisions)
    return jsonify(body)


@blueprint.get("/deployment")
def list_deployments():
    with context().db.read() as session:
        rows = queries.list_deployments(session, params.page())
        return jsonify([shapes.deployment(d, None) for d in rows])
