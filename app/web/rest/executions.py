"""Camunda's execution resource: list and count (with the event subscription filters),
one execution, its message subscription, and triggering that subscription with a message."""
from flask import g, jsonify, request

from app.clock import format_camunda
from app.core.errors import BadRequest
from app.platform import executions, variables

from . import blueprint, context, params, sorting

FLAGS = ("active", "suspended")
FILTERS = ("processInstanceId", "businessKey", "processDefinitionId", "processDefinitionKey", "activityId",
           "messageEventSubscriptionName", "signalEventSubscriptionName", *FLAGS)


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


@blueprint.post("/execution")
def query_executions():
    """The list with its query in the body; paging stays in the query string, as Camunda's."""
    params.known_only(*params.PAGING)
    body = params.json_body()
    params.known_fields(body, *FILTERS, "sorting")
    wanted = _body_filter(body)
    sort = sorting.sort_of_body(body.get("sorting"), tuple(executions.SORTS), "instanceId")
    ctx = context()
    with ctx.db.read() as session:
        found = executions.list_executions(ctx, session, g.actor, wanted, sort, params.page())
    return jsonify([_execution(e) for e in found])


@blueprint.post("/execution/count")
def query_execution_count():
    params.known_only()
    body = params.json_body()
    params.known_fields(body, *FILTERS, "sorting")
    # Camunda's count takes its list's body: the sorting is checked and changes nothing.
    sorting.sort_of_body(body.get("sorting"), tuple(executions.SORTS), "instanceId")
    wanted = _body_filter(body)
    ctx = context()
    with ctx.db.read() as session:
        return jsonify({"count": executions.count_executions(ctx, session, g.actor, wanted)})


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
    """The filters of a GET's query string."""
    return _filter_of(request.args, params.bool_arg("active") is True, params.bool_arg("suspended") is True)


def _body_filter(body: dict) -> executions.ExecutionFilter:
    """The filters of a POST's body (Camunda's query in the body): texts and true/false."""
    for name, value in body.items():
        wanted = bool if name in FLAGS else str
        if name in FILTERS and value is not None and not isinstance(value, wanted):
            kind = "true 或 false" if wanted is bool else "文本"
            raise BadRequest(f"{name} 应为{kind} / {name} must be a {wanted.__name__}",
                             [{"field": name, "message": f"应为{kind}"}])
    return _filter_of(body, body.get("active") is True, body.get("suspended") is True)


def _filter_of(values, active: bool, suspended: bool) -> executions.ExecutionFilter:
    """Camunda's `active` and `suspended` flags only narrow when true (false is the default,
    no narrowing); both true would ask for what cannot be."""
    if active and suspended:
        raise BadRequest("active 与 suspended 不能同时为 true / active and suspended exclude each other",
                         [{"field": "suspended", "message": "不能与 active 同时为 true"}])
    return executions.ExecutionFilter(
        process_instance_id=values.get("processInstanceId"), business_key=values.get("businessKey"),
        process_definition_id=values.get("processDefinitionId"),
        process_definition_key=values.get("processDefinitionKey"), activity_id=values.get("activityId"),
        message_event_subscription_name=values.get("messageEventSubscriptionName"),
        signal_event_subscription_name=values.get("signalEventSubscriptionName"),
        suspended=True if suspended else (False if active else None))
