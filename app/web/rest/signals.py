"""POST /signal: broadcast a signal to the instances waiting for it."""
from flask import g

from app.core.errors import BadRequest
from app.platform import signals, variables

from . import blueprint, context, params

FIELDS = frozenset({"name", "executionId", "variables", "tenantId", "withoutTenantId"})
# No tenants here: sent empty they mean nothing, sent with a value they would be ignored.
UNSUPPORTED = ("tenantId", "withoutTenantId")


@blueprint.post("/signal")
def send_signal():
    body = params.json_body()
    refused = sorted(set(body) - FIELDS) + [name for name in UNSUPPORTED if body.get(name)]
    if refused:
        raise BadRequest(f"不支持的字段 {refused[0]} / unsupported field {refused[0]}",
                         [{"field": name, "message": "不支持的字段"} for name in refused])
    values, types = variables.from_camunda(body.get("variables"))
    ctx = context()
    with ctx.db.command() as session:
        signals.send(ctx, session, g.actor, body.get("name"), values, types, body.get("executionId"))
    return "", 204
