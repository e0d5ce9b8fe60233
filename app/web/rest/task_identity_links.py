"""A task's identity links (Camunda's candidate users and groups, assignee, owner): read,
and candidates added or removed."""
from flask import g, jsonify, request

from app.platform import task_candidates

from . import blueprint, context, params


@blueprint.get("/task/<task_id>/identity-links")
def task_identity_links(task_id):
    params.known_only("type")
    with context().db.read() as session:
        return jsonify(task_candidates.links(session, g.actor, task_id, request.args.get("type")))


@blueprint.post("/task/<task_id>/identity-links")
def add_task_identity_link(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        task_candidates.add_candidate(ctx, session, g.actor, task_id, body)
    return "", 204


@blueprint.post("/task/<task_id>/identity-links/delete")
def delete_task_identity_link(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        task_candidates.remove_candidate(ctx, session, g.actor, task_id, body)
    return "", 204
