"""Process definitions by id (read, XML, start, start form, suspension) and what Camunda
offers by key beside them: the start form and the suspension of every version."""
from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import process_definitions

from . import blueprint, context, params, shapes
from .definitions import started


@blueprint.get("/process-definition/<definition_id>")
def get_by_id(definition_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.definition(process_definitions.by_id(session, definition_id)))


@blueprint.get("/process-definition/<definition_id>/xml")
def xml_by_id(definition_id):
    params.known_only()
    with context().db.read() as session:
        definition = process_definitions.by_id(session, definition_id)
        return jsonify({"id": definition.id, "bpmn20Xml": definition.bpmn_xml.decode("utf-8")})


@blueprint.get("/process-definition/<definition_id>/static-called-process-definitions")
def static_called_definitions(definition_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        calls = process_definitions.called_definitions(ctx, session, process_definitions.by_id(session, definition_id))
        return jsonify([dict(shapes.definition(called), calledFromActivityIds=activity_ids,
                             callingProcessDefinitionId=definition_id) for called, activity_ids in calls])


@blueprint.post("/process-definition/<definition_id>/start")
@blueprint.post("/process-definition/<definition_id>/submit-form")
def start_by_id(definition_id):
    return started(definition_id=definition_id)


@blueprint.get("/process-definition/<definition_id>/form-variables")
def form_variables_by_id(definition_id):
    params.known_only("variableNames", "deserializeValues")
    with context().db.read() as session:
        return _form_variables(process_definitions.by_id(session, definition_id))


@blueprint.get("/process-definition/key/<key>/form-variables")
def form_variables_by_key(key):
    params.known_only("variableNames", "deserializeValues")
    with context().db.read() as session:
        return _form_variables(process_definitions.latest(session, key))


def _form_variables(definition):
    params.bool_arg("deserializeValues")
    fields = process_definitions.start_form_variables(definition)
    wanted = request.args.get("variableNames")
    names = [n for n in fields if not wanted or n in wanted.split(",")]
    return jsonify({n: {"value": fields[n][0], "type": fields[n][1], "valueInfo": {}} for n in names})


@blueprint.put("/process-definition/<definition_id>/suspended")
def suspend_by_id(definition_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        definition = process_definitions.by_id(session, definition_id)
        _suspend(ctx, session, [definition], body)
    return "", 204


@blueprint.put("/process-definition/key/<key>/suspended")
def suspend_by_key(key):
    """Every version of the key, as Camunda suspends by key."""
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        process_definitions.latest(session, key)
        _suspend(ctx, session, process_definitions.versions(session, key), body)
    return "", 204


@blueprint.put("/process-definition/suspended")
def suspend_by_key_in_body():
    """Camunda's by-key form with the key in the body."""
    body = params.json_body()
    key = body.get("processDefinitionKey")
    if not isinstance(key, str) or not key:
        raise BadRequest("processDefinitionKey 不能为空 / processDefinitionKey is required",
                         [{"field": "processDefinitionKey", "message": "应为流程定义键"}])
    ctx = context()
    with ctx.db.command() as session:
        process_definitions.latest(session, key)
        _suspend(ctx, session, process_definitions.versions(session, key), body)
    return "", 204


def _suspend(ctx, session, definitions, body):
    process_definitions.set_suspended(ctx, session, g.actor, definitions, body.get("suspended"),
                                      body.get("includeProcessInstances"), body.get("executionDate"))

