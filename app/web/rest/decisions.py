"""Decision definitions: list, by key or id, XML, and evaluate (试算) as Camunda 7 does."""
from flask import jsonify

from app.platform import decision_tables, queries, variables

from . import blueprint, context, params, query_input, shapes


@blueprint.get("/decision-definition")
def list_decision_definitions():
    q = query_input.from_args(queries.DECISION_CRITERIA, queries.DECISION_SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.decision_definition(d)
                        for d in queries.list_decision_definitions(session, q, page)])


@blueprint.get("/decision-definition/count")
def count_decision_definitions():
    q = query_input.from_args(queries.DECISION_CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.decision_definitions_query(q))})


@blueprint.get("/decision-definition/key/<key>")
def get_decision_definition_by_key(key):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.decision_definition(decision_tables.find_definition(session, key)))


@blueprint.get("/decision-definition/<definition_id>")
def get_decision_definition(definition_id):
    params.known_only()
    with context().db.read() as session:
        definition = decision_tables.find_definition(session, definition_id=definition_id)
        return jsonify(shapes.decision_definition(definition))


@blueprint.get("/decision-definition/key/<key>/xml")
def get_decision_definition_xml_by_key(key):
    params.known_only()
    with context().db.read() as session:
        return _xml(decision_tables.find_definition(session, key))


@blueprint.get("/decision-definition/<definition_id>/xml")
def get_decision_definition_xml(definition_id):
    params.known_only()
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
