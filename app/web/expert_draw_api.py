"""The panel's draw under /api: draw on an assign_experts task and see the result with its
seed and candidates (to re-check it), ask for a redraw or a replacement, a leader's decision
on it, and an expert's decline of a review. Basic or the signed-in session, error shapes as
/engine-rest; the services decide who may."""
from __future__ import annotations

import json

from flask import g, jsonify

from app.clock import format_camunda
from app.tic import expert_declines, panel_draws

from . import rest
from .current import context
from .rest import params

API_PREFIX = "/api"
blueprint = rest.json_api_blueprint("expert_draw_api")


@blueprint.get("/tasks/<task_id>/expert-draw")
def latest(task_id):
    with context().db.read() as session:
        drawn = panel_draws.shown_draw(session, g.actor, task_id)
        return jsonify(draw_json(drawn) if drawn is not None else None)


@blueprint.post("/tasks/<task_id>/expert-draw")
def draw(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        drawn = panel_draws.draw_for_task(ctx, session, g.actor, task_id, body.get("field"))
        shown = draw_json(drawn)
    return jsonify(shown), 201


@blueprint.post("/tasks/<task_id>/expert-draw/requests")
def request_change(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        asked = request_json(panel_draws.request_change(ctx, session, g.actor, task_id, body.get("kind"),
                                                        body.get("reason"), body.get("expert")))
    return jsonify(asked), 201


@blueprint.post("/expert-draw-requests/<int(max=2147483647):request_id>/decision")
def decide(request_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        decided = request_json(panel_draws.decide_request(ctx, session, g.actor, request_id, body.get("approve"),
                                                          body.get("opinion")))
    return jsonify(decided)


@blueprint.get("/instances/<instance_id>/expert-draw-requests")
def requests(instance_id):
    with context().db.read() as session:
        return jsonify([request_json(r) for r in panel_draws.requests_of(session, g.actor, instance_id)])


@blueprint.post("/tasks/<task_id>/decline")
def decline(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        declined = decline_json(expert_declines.decline(ctx, session, g.actor, task_id, body.get("kind"),
                                                        body.get("reason")))
    return jsonify(declined), 201


def draw_json(row) -> dict:
    """A draw as shown after it: the seed and the candidates `expert_draw.choose` re-checks it
    from, who was left out and why, what it chose and the panel it gives."""
    return {"id": row.id, "purpose": row.purpose, "field": row.field, "size": row.size, "outside": row.outside,
            "seed": row.seed, "candidates": json.loads(row.candidates_json),
            "excluded": json.loads(row.excluded_json), "chosen": json.loads(row.chosen_json),
            "panel": panel_draws.panel_of(row), "replaced": row.replaced, "drawnBy": row.drawn_by,
            "drawnAt": format_camunda(row.drawn_at)}


def request_json(row) -> dict:
    return {"id": row.id, "kind": row.kind, "expert": row.expert, "reason": row.reason,
            "requestedBy": row.requested_by, "requestedAt": format_camunda(row.requested_at),
            "decision": row.decision, "opinion": row.opinion, "decidedBy": row.decided_by,
            "decidedAt": format_camunda(row.decided_at) if row.decided_at else None,
            "usedByDraw": row.used_by_draw}


def decline_json(row) -> dict:
    """The decline as its expert sees it: not who replaces them (the panel is confidential)."""
    return {"id": row.id, "kind": row.kind, "reason": row.reason, "declinedAt": format_camunda(row.declined_at)}
