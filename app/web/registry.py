"""The registry face under /api: centers and each center's dossier (timeline, governance,
annual reports, evaluation files), and the approving leader's review file and ranking.

HTTP Basic or the signed-in browser session (`api_auth`), error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import g, jsonify

from app.tic import annual_reports, applications, evaluations, governance, registry, timeline

from . import rest
from .current import context
from .rest import params

API_PREFIX = "/api"
blueprint = rest.json_api_blueprint("registry")


@blueprint.get("/centers")
def list_centers():
    with context().db.read() as session:
        return jsonify(registry.list_centers(session, g.actor))


@blueprint.get("/centers/<code>")
def get_center(code):
    with context().db.read() as session:
        return jsonify(registry.get_center(session, g.actor, code))


@blueprint.get("/centers/<code>/timeline")
def center_timeline(code):
    with context().db.read() as session:
        return jsonify(timeline.timeline(session, g.actor, code))


@blueprint.get("/centers/<code>/governance")
def get_governance(code):
    with context().db.read() as session:
        return jsonify(governance.get_governance(session, g.actor, code))


@blueprint.put("/centers/<code>/governance")
def put_governance(code):
    ctx = context()
    with ctx.db.command() as session:
        return jsonify(governance.put_governance(ctx, session, g.actor, code, params.json_body()))


@blueprint.get("/centers/<code>/annual-reports")
def list_annual_reports(code):
    with context().db.read() as session:
        return jsonify(annual_reports.list_reports(session, g.actor, code))


@blueprint.get("/centers/<code>/evaluations/<int(max=2147483647):cycle>")
def evaluation_file(code, cycle):
    with context().db.read() as session:
        return jsonify(evaluations.review_file(session, g.actor, code, cycle))


@blueprint.post("/centers/<code>/evaluation/withdraw")
def withdraw_from_evaluation(code):
    ctx = context()
    reason = params.json_body().get("reason")
    with ctx.db.command() as session:
        business_key = evaluations.withdraw(ctx, session, g.actor, code, reason if isinstance(reason, str) else None)
    return jsonify({"businessKey": business_key})


@blueprint.get("/applications/ranking")
def ranking():
    with context().db.read() as session:
        return jsonify(applications.ranking(session, g.actor))


@blueprint.get("/applications/<instance_id>/review")
def review_file(instance_id):
    with context().db.read() as session:
        return jsonify(applications.review_file(session, g.actor, instance_id))
