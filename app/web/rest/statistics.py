"""Camunda's statistics of process definitions: running instances, failed jobs and incidents
per definition version, and per activity of one definition (the cockpit's figures)."""
from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import process_definitions, statistics
from app.platform.instance_store import definition_of

from . import blueprint, context, params, shapes

OPTIONS = ("failedJobs", "incidents", "incidentsForType", "rootIncidents")


@blueprint.get("/process-definition/statistics")
def definition_statistics():
    wanted = _wanted()
    ctx = context()
    with ctx.db.read() as session:
        rows = statistics.definition_counts(session, g.actor)
        return jsonify([shapes.definition_statistics(c, definition_of(ctx, session, c.id), *wanted) for c in rows])


@blueprint.get("/process-definition/<definition_id>/statistics")
def activity_statistics(definition_id):
    wanted = _wanted()
    ctx = context()
    with ctx.db.read() as session:
        counts = statistics.definition_activity_counts(ctx, session, g.actor, definition_id)
    return jsonify([shapes.activity_statistics(activity_id, c, *wanted) for activity_id, c in counts.items()])


@blueprint.get("/process-definition/key/<key>/statistics")
def activity_statistics_by_key(key):
    """The latest version's, as Camunda answers by key."""
    wanted = _wanted()
    ctx = context()
    with ctx.db.read() as session:
        definition_id = process_definitions.latest(session, key).id
        counts = statistics.definition_activity_counts(ctx, session, g.actor, definition_id)
    return jsonify([shapes.activity_statistics(activity_id, c, *wanted) for activity_id, c in counts.items()])


def _wanted() -> tuple[bool, str | None]:
    """(count failed jobs, which incidents: None none, "" every type, else that type).
    Camunda takes one of incidents, incidentsForType and rootIncidents at a time."""
    params.known_only(*OPTIONS)
    chosen = [name for name in OPTIONS[1:] if name in request.args]
    if len(chosen) > 1:
        raise BadRequest(f"{chosen[0]} 与 {chosen[1]} 只能取其一 / only one of incidents, incidentsForType "
                         "and rootIncidents", [{"field": chosen[1], "message": "只能取其一"}])
    types = request.args.get("incidentsForType")
    every = params.bool_arg("incidents") or params.bool_arg("rootIncidents")
    return params.bool_arg("failedJobs") is True, types if types else ("" if every else None)
