"""POST /message: correlate a message by name and business key."""
from flask import g, jsonify

from app.core.errors import BadRequest
from app.platform import variables
from app.platform.messages import correlate

from . import blueprint, context, params


@blueprint.post("/message")
def post_message():
    body = params.json_body()
    values, types = variables.from_camunda(body.get("processVariables"))
    result_enabled = body.get("resultEnabled", False)
    if not isinstance(result_enabled, bool):
        raise BadRequest("resultEnabled 应为 true 或 false / resultEnabled must be a boolean",
                         [{"field": "resultEnabled", "message": "resultEnabled 应为 true 或 false"}])
    ctx = context()
    with ctx.db.command() as session:
        instance_ids = correlate(
            ctx, session, g.actor, body.get("messageName"), body.get("businessKey"),
            body.get("processInstanceId"), values, types, body.get("all", False),
        )
    if result_enabled:
        return jsonify([
            {"resultType": "Execution", "execution": {"id": i, "processInstanceId": i},
             "processInstance": None}
            for i in instance_ids
        ])
    return "", 204
