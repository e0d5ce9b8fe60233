"""Process instances: list, get, activity tree, delete, suspend, modify."""
from flask import g, jsonify, request

from app.core.errors import NotFound
from app.platform import instance_operations, instance_suspension, queries
from app.platform.instance_store import definition_of
from app.platform.process_instances import delete_instance, get_instance

from . import blueprint, context, params, query_input, shapes


@blueprint.get("/process-instance")
def list_instances():
    return _listed(query_input.from_args(queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS))


@blueprint.post("/process-instance")
def query_instances():
    return _listed(query_input.from_body(queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS))


@blueprint.get("/process-instance/count")
def count_instances():
    return _counted(query_input.from_args(queries.INSTANCE_CRITERIA))


@blueprint.post("/process-instance/count")
def count_queried_instances():
    return _counted(query_input.from_body(queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS, paged=False))


def _listed(q):
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.instance(i) for i in queries.list_instances(session, g.actor, q, page)])


def _counted(q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.instances_query(g.actor, q))})


@blueprint.get("/process-instance/<instance_id>")
def get_one(instance_id):
    params.known_only()
    with context().db.read() as session:
        instance = get_instance(session, g.actor, instance_id)
        if instance.end_time is not None:
            # The runtime API knows running instances only, as Camunda's; history has the rest.
            raise NotFound(f"流程实例 {instance_id} 已结束，请查询历史 / process instance {instance_id} "
                           "is not running (see /history/process-instance)")
        return jsonify(shapes.instance(instance))


@blueprint.get("/process-instance/<instance_id>/activity-instances")
def get_activity_tree(instance_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        instance = get_instance(session, g.actor, instance_id)
        definition = definition_of(ctx, session, instance.definition_id)
        incidents = queries.open_incident_ids(session, instance_id)
        children = [
            {
                "id": a.id, "parentActivityInstanceId": instance.id, "activityId": a.activity_id,
                "activityType": a.activity_type, "processInstanceId": instance.id,
                "processDefinitionId": instance.definition_id, "childActivityInstances": [],
                "childTransitionInstances": [], "executionIds": [a.id],
                "activityName": a.activity_name, "incidentIds": incidents.get(a.activity_id, []),
                "incidents": [{"id": i, "activityId": a.activity_id}
                              for i in incidents.get(a.activity_id, [])],
            }
            for a in queries.active_activities(session, g.actor, instance_id)
        ]
        return jsonify({
            "id": instance.id, "parentActivityInstanceId": None,
            "activityId": instance.definition_id, "activityType": "processDefinition",
            "processInstanceId": instance.id, "processDefinitionId": instance.definition_id,
            "childActivityInstances": children, "childTransitionInstances": [],
            "executionIds": [instance.id], "activityName": definition.name,
            "incidentIds": [], "incidents": [],
        })


@blueprint.delete("/process-instance/<instance_id>")
def delete_one(instance_id):
    ctx = context()
    with ctx.db.command() as session:
        delete_instance(ctx, session, g.actor, instance_id, request.args.get("deleteReason"))
    return "", 204


@blueprint.put("/process-instance/suspended")
def suspend_group():
    body = params.json_body()
    params.known_fields(body, "suspended", *instance_suspension.SUSPENSION_GROUPS)
    ctx = context()
    with ctx.db.command() as session:
        instance_suspension.suspend_group(ctx, session, g.actor, body)
    return "", 204


@blueprint.put("/process-instance/<instance_id>/suspended")
def suspend_one(instance_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.set_suspended(ctx, session, g.actor, instance_id, body.get("suspended"),
                                          body.get("reason"))
    return "", 204


@blueprint.post("/process-instance/<instance_id>/modification")
def modify_one(instance_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.move_token(ctx, session, g.actor, instance_id, body.get("instructions"),
                                       body.get("annotation"))
    return "", 204
