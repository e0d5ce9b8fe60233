"""The managers' dashboard under /api (R29): read-only figures for the department side.

Same HTTP Basic authentication and error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from app.services import dashboard
from app.services.errors import ServiceError

from . import rest

API_PREFIX = "/api"
blueprint = Blueprint("dashboard", __name__)
blueprint.before_request(rest.require_basic_auth)
blueprint.register_error_handler(ServiceError, rest.service_error)
blueprint.register_error_handler(Exception, rest.unexpected_error)


@blueprint.get("/dashboard/summary")
def summary():
    ctx = rest.context()
    with ctx.db.read() as session:
        return jsonify(dashboard.summary(ctx, session, g.actor))
