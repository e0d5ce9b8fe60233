"""Decision definitions: list, by key or id, XML, and evaluate (试算) as Camunda 7 does."""
from flask import jsonify, request

from app.platform import decision_tables, variables

from . import blueprint, context, params, shapes


@blueprint.get("/decision-definition")
def list_decision_definitions():
    params.known_only("key", "latestVersion", *params.PAGING)
    with context().db.read() as session:
        rows = decision_tables.list_definitions(
            session, request.args.get("key"), params.bool_arg("latestVersion") is True, params.page(),
        )
        return jsonify([shapes.decision_definition(d) for d in rows])


@blueprint.get("/decision-definition/key/<key>")
def get_decision_definition_by_key(key):
    with context().db.read() as session:
        return jsonify(shapes.decision_definition(decision_tables.find_definition(session, key)))


@blueprint.get("/decision-definition/<definition_id>")
def get_decision_definition(definition_id):
    with context().db.read() as session:
        definition = decision_tables.find_definition(session, definition_id=definition_id)
        return jsonify(shapes.decision_definition(definition))


@blueprint.get("/decision-definition/key/<key>/xml")
def get_decision_definition_xml_by_key(key):
    with context().db.read() as session:
        return _xml(decision_tables.find_definition(session, key))


@blueprint.get("/decision-definition/<definition_id>/xml")
def get_decision_definition_xml(definition_id):
    with context().db.read() as session:
        return _xml(decision_tables.find_definition(session, definition_id=definition_id))


def _xml(definition):
    return jsonify({"id": definition.id, "dmnXml": definition.dmn_xml.decode("utf-8")})


@blueprint.post("/decision-definition/key/<key>/evaluate")
def evaluate_by_key(key):
    return _evaluated(key=key)


@blueprint.post("/decision-definition/<definition_id>/evaluate")
def evaluate_by_id(definition_id):
    return _evaluated(definition_id=definition_id)


def _evaluated(**which):
    """Camunda's answer: one result per rule the hit policy kept, its outputs typed."""
    inputs, _types = variables.from_camunda(params.json_body().get("variables"))
    ctx = context()
    with ctx.db.read() as session:
        evaluation = decision_tables.evaluate(ctx, session, inputs, **which)
    return jsonify([variables.to_camunda(rule.outputs) for rule in evaluation.matched])
