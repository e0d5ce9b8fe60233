"""History: process instances, activity instances, tasks."""
from flask import g, jsonify, request

from app.platform import queries
from app.platform.instance_store import definition_of

from . import blueprint, context, params, shapes


@blueprint.get("/history/process-instance")
def historic_instances():
    ctx = context()
    args = request.args
    with ctx.db.read() as session:
        rows = queries.historic_instances(
            session, g.actor, args.get("processDefinitionKey"), args.get("processInstanceBusinessKey"),
            args.get("processInstanceId"), params.page(),
        )
        return jsonify([
            shapes.historic_instance(i, definition_of(ctx, session, i.definition_id)) for i in rows
        ])


@blueprint.get("/history/activity-instance")
def historic_activities():
    with context().db.read() as session:
        rows = queries.historic_activities(
            session, g.actor, request.args.get("processInstanceId"), params.page()
        )
        return jsonify([shapes.historic_activity(a) for a in rows])


@blueprint.get("/history/task")
def historic_tasks():
    args = request.args
    with context().db.read() as session:
        rows = queries.historic_tasks(
            session, g.actor, args.get("processInstanceId"), args.get("taskAssignee"),
            params.bool_arg("finished"), params.page(),
        )
        return jsonify([shapes.historic_task(t) for t in rows])
