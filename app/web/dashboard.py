"""The managers' dashboard under /api (R29): read-only figures for the department side.

HTTP Basic or the signed-in browser session (`api_auth`), error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import g, jsonify

from app.tic import dashboard

from . import rest
from .current import context

API_PREFIX = "/api"
blueprint = rest.json_api_blueprint("dashboard")


@blueprint.get("/dashboard/summary")
def summary():
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(dashboard.summary(ctx, session, g.actor))
