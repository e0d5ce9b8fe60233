"""Process definitions: list, by key, XML, start."""
from flask import g, jsonify

from app.core.errors import BadRequest, NotFound
from app.platform import queries, variable_files, variables
from app.platform.deployment import latest_definition
from app.platform.process_instances import start_process

from . import blueprint, context, params, query_input, self_link, shapes


@blueprint.get("/process-definition")
def list_definitions():
    q = query_input.from_args(queries.DEFINITION_CRITERIA, queries.DEFINITION_SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.definition(d) for d in queries.list_definitions(session, q, page)])


@blueprint.get("/process-definition/count")
def count_definitions():
    q = query_input.from_args(queries.DEFINITION_CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.definitions_query(q))})


def _latest(session, key):
    definition = latest_definition(session, key)
    if definition is None:
        raise NotFound(f"流程定义 {key} 不存在 / no process definition with key {key}")
    return definition


@blueprint.get("/process-definition/key/<key>")
def get_definition(key):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.definition(_latest(session, key)))


@blueprint.get("/process-definition/key/<key>/xml")
def get_definition_xml(key):
    params.known_only()
    with context().db.read() as session:
        definition = _latest(session, key)
        return jsonify({"id": definition.id, "bpmn20Xml": definition.bpmn_xml.decode("utf-8")})


@blueprint.post("/process-definition/key/<key>/start")
@blueprint.post("/process-definition/key/<key>/submit-form")
def start_by_key(key):
    return started(key=key)


def started(**definition):
    """Start the definition (`key` or `definition_id`) with the body's typed variables and
    business key: Camunda's start and its start form's submit alike (the start form's
    fields are checked either way)."""
    body = params.json_body()
    values, types = variables.from_camunda(body.get("variables"), binaries=True)
    binaries = variables.take_binaries(values, types)
    business_key = body.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise BadRequest("businessKey 应为字符串 / businessKey must be a string",
                         [{"field": "businessKey", "message": "应为字符串"}])
    ctx = context()
    with ctx.db.command() as session:
        instance = start_process(ctx, session, g.actor, variables=values, types=types,
                                 business_key=business_key, **definition)
        variable_files.keep(ctx, session, instance.id, binaries)
        body = shapes.instance(instance, self_link(f"/process-instance/{instance.id}"))
    return jsonify(body)
