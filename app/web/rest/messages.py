"""POST /message: correlate a message by name and business key."""
from flask import g, jsonify

from app.core.errors import BadRequest
from app.platform import variable_files, variables
from app.platform.messages import correlate, correlation_results

from . import blueprint, context, params, shapes

FIELDS = frozenset({
    "messageName", "businessKey", "processInstanceId", "processVariables", "all", "resultEnabled",
    "variablesInResultEnabled", "tenantId", "withoutTenantId", "correlationKeys",
    "localCorrelationKeys", "processVariablesLocal",
})
# Camunda fields this engine has nothing for: sent empty they mean nothing, sent with a
# value they would be ignored, which would correlate a message its sender did not mean.
UNSUPPORTED = ("tenantId", "correlationKeys", "localCorrelationKeys", "processVariablesLocal")


@blueprint.post("/message")
def post_message():
    body = params.json_body()
    _check_fields(body)
    values, types = variables.from_camunda(body.get("processVariables"), binaries=True)
    binaries = variables.take_binaries(values, types)
    result_enabled = _flag(body, "resultEnabled")
    with_variables = _flag(body, "variablesInResultEnabled")
    ctx = context()
    with ctx.db.command() as session:
        instance_ids = correlate(
            ctx, session, g.actor, body.get("messageName"), body.get("businessKey"),
            body.get("processInstanceId"), values, types, body.get("all", False),
        )
        for instance_id in instance_ids:
            variable_files.keep(ctx, session, instance_id, binaries)
        results = correlation_results(session, g.actor, instance_ids, with_variables) if result_enabled else []
        answer = [shapes.correlation_result(instance, shown) for instance, shown in results]
    return jsonify(answer) if result_enabled else ("", 204)


def _check_fields(body: dict) -> None:
    refused = sorted(set(body) - FIELDS) + [name for name in UNSUPPORTED if body.get(name)]
    if refused:
        raise BadRequest(f"不支持的字段 {refused[0]} / unsupported field {refused[0]}",
                         [{"field": name, "message": "不支持的字段"} for name in refused])


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadRequest(f"{name} 应为 true 或 false / {name} must be a boolean",
                         [{"field": name, "message": f"{name} 应为 true 或 false"}])
    return value
