"""The registry face under /api: centers, and the approving leader's review file and ranking.

Same HTTP Basic authentication and error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from app.services import applications, registry
from app.services.errors import ServiceError

from . import rest

API_PREFIX = "/api"
blueprint = Blueprint("registry", __name__)
blueprint.before_request(rest.require_basic_auth)
blueprint.register_error_handler(ServiceError, rest.service_error)
blueprint.register_error_handler(Exception, rest.unexpected_error)


@blueprint.get("/centers")
def list_centers():
    with rest.context().db.read() as session:
        return jsonify(registry.list_centers(session, g.actor))


@blueprint.get("/centers/<code>")
def get_center(code):
    with rest.context().db.read() as session:
        return jsonify(registry.get_center(session, g.actor, code))


@blueprint.get("/applications/ranking")
def ranking():
    with rest.context().db.read() as session:
        return jsonify(applications.ranking(session, g.actor))


@blueprint.get("/applications/<instance_id>/review")
def review_file(instance_id):
    with rest.context().db.read() as session:
        return jsonify(applications.review_file(session, g.actor, instance_id))
