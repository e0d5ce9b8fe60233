"""Camunda's execution resource: list and count (with the event subscription filters),
one execution, its message subscription, and triggering that subscription with a message."""
from flask import g, jsonify, request

from app.clock import format_camunda
from app.core.errors import BadRequest
from app.platform import executions, variables

from . import blueprint, context, params, sorting

FILTERS = ("processInstanceId", "businessKey", "processDefinitionId", "processDefinitionKey", "activityId",
           "messageEventSubscriptionName", "signalEventSubscriptionName", "active", "suspended")


@blueprint.get("/execution")
def list_executions():
    params.known_only(*FILTERS, *sorting.PARAMETERS, *params.PAGING)
    sort = sorting.sort_arg(tuple(executions.SORTS), "instanceId")
    ctx = context()
    with ctx.db.read() as session:
        found = executions.list_executions(ctx, session, g.actor, _filter(), sort, params.page())
    return jsonify([_execution(e) for e in found])


@blueprint.get("/execution/count")
def count_executions():
    params.known_only(*FILTERS)
    ctx = context()
    with ctx.db.read() as session:
        return jsonify({"count": executions.count_executions(ctx, session, g.actor, _filter())})


@blueprint.get("/execution/<execution_id>")
def get_execution(execution_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(_execution(executions.get_execution(ctx, session, g.actor, execution_id)))


@blueprint.get("/execution/<execution_id>/messageSubscriptions/<message_name>")
def message_subscription(execution_id, message_name):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        found = executions.message_subscription(ctx, session, g.actor, execution_id, message_name)
        return jsonify({
            "id": found.id, "eventType": "message", "eventName": found.message_name,
            "executionId": found.id, "processInstanceId": found.instance_id, "activityId": found.activity_id,
            "createdDate": format_camunda(found.created_at), "tenantId": None,
        })


@blueprint.post("/execution/<execution_id>/messageSubscriptions/<message_name>/trigger")
def trigger_message(execution_id, message_name):
    body = params.json_body()
    values, types = variables.from_camunda(body.get("variables"))
    ctx = context()
    with ctx.db.command() as session:
        executions.trigger_message(ctx, session, g.actor, execution_id, message_name, values, types)
    return "", 204


def _execution(found: executions.Execution) -> dict:
    return {"id": found.id, "processInstanceId": found.instance_id, "ended": False, "tenantId": None}


def _filter() -> executions.ExecutionFilter:
    """Camunda's `active` and `suspended` flags only narrow when true (false is the default,
    no narrowing); both true would ask for what cannot be."""
    args = request.args
    active, suspended = params.bool_arg("active") is True, params.bool_arg("suspended") is True
    if active and suspended:
        raise BadRequest("active 与 suspended 不能同时为 true / active and suspended exclude each other",
                         [{"field": "suspended", "message": "不能与 active 同时为 true"}])
    return executions.ExecutionFilter(
        process_instance_id=args.get("processInstanceId"), business_key=args.get("businessKey"),
        process_definition_id=args.get("processDefinitionId"),
        process_definition_key=args.get("processDefinitionKey"), activity_id=args.get("activityId"),
        message_event_subscription_name=args.get("messageEventSubscriptionName"),
        signal_event_subscription_name=args.get("signalEventSubscriptionName"),
        suspended=True if suspended else (False if active else None))
