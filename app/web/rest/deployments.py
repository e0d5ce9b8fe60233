"""Deployments: POST /deployment/create (multipart), GET /deployment, one deployment and
its resources (the files as stored) in Camunda's shapes."""
from flask import Response, g, jsonify, request

from app.core.errors import BadRequest
from app.platform import queries
from app.platform.deployment import deploy, located

from . import blueprint, context, params, query_input, self_link, shapes

# As Camunda answers a resource's data: a type by the file's ending, else bytes.
_MEDIA_TYPES = {"bpmn": "application/xml", "dmn": "application/xml", "xml": "application/xml",
                "json": "application/json"}


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
        body = shapes.deployment(result.deployment, result.new_definitions, result.new_decisions,
                                 self_link(f"/deployment/{result.deployment.id}"))
    # Not in Camunda's shape (clients ignore it): what deployed but deserves a look, such as
    # a descriptive model with nothing to start.
    body["warnings"] = located(result.warnings)
    return jsonify(body)


@blueprint.get("/deployment")
def list_deployments():
    q = query_input.from_args({}, queries.DEPLOYMENT_SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.deployment(d, None) for d in queries.list_deployments(session, q, page)])


@blueprint.get("/deployment/count")
def count_deployments():
    query_input.from_args({})
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, queries.deployments_query())})


@blueprint.get("/deployment/<deployment_id>")
def get_deployment(deployment_id: str):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.deployment(queries.get_deployment(session, deployment_id), None))


@blueprint.get("/deployment/<deployment_id>/resources")
def list_resources(deployment_id: str):
    params.known_only()
    with context().db.read() as session:
        return jsonify([shapes.resource(r) for r in queries.deployment_resources(session, deployment_id)])


@blueprint.get("/deployment/<deployment_id>/resources/<resource_id>")
def get_resource(deployment_id: str, resource_id: str):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.resource(queries.deployment_resource(session, deployment_id, resource_id)))


@blueprint.get("/deployment/<deployment_id>/resources/<resource_id>/data")
def resource_data(deployment_id: str, resource_id: str):
    params.known_only()
    with context().db.read() as session:
        resource = queries.deployment_resource(session, deployment_id, resource_id)
        return Response(resource.content, mimetype=_MEDIA_TYPES.get(resource.name.rpartition(".")[2],
                                                                    "application/octet-stream"))
