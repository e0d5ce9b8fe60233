"""The audit log under /api, for administrators until the admin pages exist. Read only:
no route changes it.

HTTP Basic or the signed-in browser session (`api_auth`), error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import g, jsonify, request

from app.core import audit

from . import rest
from .current import context
from .rest import params

API_PREFIX = "/api"
blueprint = rest.json_api_blueprint("audit")


@blueprint.get("/audit")
def list_entries():
    with context().db.read() as session:
        return jsonify(audit.entries(session, g.actor, params.api_page(),
                                     user_id=request.args.get("userId"),
                                     action=request.args.get("action")))
