"""Camunda's historic decision instances: each evaluation of a decision table by a process,
listed, counted, one by id; its inputs and outputs when asked for (`includeInputs`,
`includeOutputs`)."""
from flask import g, jsonify

from app.clock import format_camunda as when
from app.platform import decision_history, queries, variables

from . import blueprint, context, params, query_input

# What the list and the one by id read themselves. Binary and custom object values are
# never kept in a decision's history here, so the switches that skip them change nothing.
SHOWING = ("includeInputs", "includeOutputs", "disableBinaryFetching", "disableCustomObjectDeserialization")


@blueprint.get("/history/decision-instance")
def historic_decision_instances():
    q = query_input.from_args(decision_history.CRITERIA, decision_history.SORTS, also=SHOWING)
    page = params.page()
    showing = _showing()
    with context().db.read() as session:
        return jsonify([_shaped(d, *showing)
                        for d in decision_history.decision_instances(session, g.actor, q, page)])


@blueprint.get("/history/decision-instance/count")
def count_historic_decision_instances():
    q = query_input.from_args(decision_history.CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *decision_history.decision_instances_query(g.actor, q))})


@blueprint.get("/history/decision-instance/<decision_instance_id>")
def historic_decision_instance(decision_instance_id):
    params.known_only(*SHOWING)
    showing = _showing()
    with context().db.read() as session:
        return jsonify(_shaped(decision_history.decision_instance(session, g.actor, decision_instance_id), *showing))


def _showing() -> tuple[bool, bool]:
    for switch in SHOWING[2:]:
        params.bool_arg(switch)
    return bool(params.bool_arg("includeInputs")), bool(params.bool_arg("includeOutputs"))


def _shaped(found, with_inputs: bool, with_outputs: bool) -> dict:
    common = {"decisionInstanceId": found.id, "createTime": when(found.evaluation_time), "removalTime": None,
              "rootProcessInstanceId": found.instance_id}
    return {
        "id": found.id, "decisionDefinitionId": found.decision_definition_id,
        "decisionDefinitionKey": found.decision_key, "decisionDefinitionName": found.decision_name,
        "evaluationTime": when(found.evaluation_time), "removalTime": None,
        "processDefinitionId": found.definition_id, "processDefinitionKey": found.process_key,
        "processInstanceId": found.instance_id, "rootProcessInstanceId": found.instance_id,
        "caseDefinitionId": None, "caseDefinitionKey": None, "caseInstanceId": None,
        "activityId": found.activity_id, "activityInstanceId": found.activity_instance_id,
        "tenantId": None, "userId": found.user_id,
        "inputs": [{
            "id": f"{found.id}:{i['clauseId']}", "clauseId": i["clauseId"], "clauseName": i["clauseName"],
            "errorMessage": i["errorMessage"], **variables.typed(i["value"]), **common,
        } for i in decision_history.inputs(g.actor, found)] if with_inputs else None,
        "outputs": [{
            "id": f"{found.id}:{o['ruleId']}:{o['clauseId']}", "clauseId": o["clauseId"],
            "clauseName": o["clauseName"], "ruleId": o["ruleId"], "ruleOrder": o["ruleOrder"],
            "variableName": o["variableName"], "errorMessage": None, **variables.typed(o["value"]), **common,
        } for o in decision_history.outputs(g.actor, found)] if with_outputs else None,
        "collectResultValue": None, "rootDecisionInstanceId": None,
        "decisionRequirementsDefinitionId": None, "decisionRequirementsDefinitionKey": None,
    }
