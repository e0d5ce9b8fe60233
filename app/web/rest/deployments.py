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
        return _answer(result)


@blueprint.post("/deployment/<deployment_id>/redeploy")
def redeploy(deployment_id: str):
    """A deployment's files (all, or those named) deployed again, as the next versions of
    what they define where they differ from the latest: an analyst's way back to an earlier
    version."""
    body = params.json_body()
    params.known_fields(body, "resourceIds", "resourceNames", "source")
    ctx = context()
    with ctx.db.command() as session:
        earlier = queries.get_deployment(session, deployment_id)
        files = _chosen(queries.deployment_resources(session, deployment_id), body)
        return _answer(deploy(ctx, session, g.actor, earlier.name, files,
                              source=body.get("source") or earlier.source))


def _chosen(resources: list, body: dict) -> dict[str, bytes]:
    """The resources named by id or by name (either list, or both: together), else all;
    a name or id the deployment does not hold is a 400 naming its field."""
    wanted = {"resourceIds": body.get("resourceIds"), "resourceNames": body.get("resourceNames")}
    if all(values is None for values in wanted.values()):
        return {r.name: r.content for r in resources}
    chosen = {}
    for field, attribute in (("resourceIds", "id"), ("resourceNames", "name")):
        values = wanted[field] or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadRequest(f"{field} 应为字符串列表 / {field} must be a list of strings",
                             [{"field": field, "message": "应为字符串列表"}])
        held = {getattr(r, attribute): r for r in resources}
        missing = [v for v in values if v not in held]
        if missing:
            raise BadRequest(f"该部署中没有资源 {missing[0]} / no resource {missing[0]} in the deployment",
                             [{"field": field, "message": f"该部署中没有资源 {missing[0]}"}])
        chosen.update({held[v].name: held[v].content for v in values})
    return chosen


def _answer(result):
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
