"""Camunda's event subscriptions: what running executions wait for (messages, signals)."""
from flask import g, jsonify, request

from app.clock import format_camunda
from app.platform import event_subscriptions

from . import blueprint, context, params, sorting

FILTERS = ("eventSubscriptionId", "eventName", "eventType", "executionId", "processInstanceId", "activityId")


@blueprint.get("/event-subscription")
def list_event_subscriptions():
    params.known_only(*FILTERS, *sorting.PARAMETERS, *params.PAGING)
    sort = sorting.sort_arg(tuple(event_subscriptions.SORTS), "created")
    ctx = context()
    with ctx.db.read() as session:
        found = event_subscriptions.list_subscriptions(ctx, session, g.actor, _filter(), sort, params.page())
    return jsonify([{
        "id": s.id, "eventType": s.event_type, "eventName": s.event_name, "executionId": s.id,
        "processInstanceId": s.instance_id, "activityId": s.activity_id, "createdDate": format_camunda(s.created),
        "tenantId": None,
    } for s in found])


@blueprint.get("/event-subscription/count")
def count_event_subscriptions():
    params.known_only(*FILTERS)
    ctx = context()
    with ctx.db.read() as session:
        return jsonify({"count": event_subscriptions.count_subscriptions(ctx, session, g.actor, _filter())})


def _filter() -> event_subscriptions.SubscriptionFilter:
    args = request.args
    return event_subscriptions.SubscriptionFilter(
        id=args.get("eventSubscriptionId"), event_name=args.get("eventName"), event_type=args.get("eventType"),
        execution_id=args.get("executionId"), process_instance_id=args.get("processInstanceId"),
        activity_id=args.get("activityId"))
