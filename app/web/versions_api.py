"""A process's versions under /api, for the modeler's version page: the semantic diff of two
deployed versions (`GET /api/processes/<processKey>/diff?from=1&to=2`), and undoing a
migration batch (`POST /api/migrations/<batchId>/undo`; migrating is Camunda's
/engine-rest/migration).

Same HTTP Basic authentication and error shapes as /engine-rest.
"""
from __future__ import annotations

from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import migration_execution, model_diff

from . import rest
from .current import context
from .request_input import INT32_MAX, parse_int

API_PREFIX = "/api"
blueprint = rest.json_api_blueprint("versions_api")


@blueprint.get("/processes/<key>/diff")
def version_diff(key):
    with context().db.read() as session:
        return jsonify(model_diff.diff_versions(session, g.actor, key, _version_arg("from"),
                                                _version_arg("to")))


@blueprint.post("/migrations/<batch_id>/undo")
def undo_migration(batch_id):
    return jsonify(migration_execution.undo_batch(context(), g.actor, batch_id))


def _version_arg(name: str) -> int:
    value = request.args.get(name)
    if value is None:
        raise BadRequest(f"缺少参数 {name}（版本号）/ {name} (a version number) is required",
                         [{"field": name, "message": "缺少版本号"}])
    return parse_int(value, name, 1, INT32_MAX)
