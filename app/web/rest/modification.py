"""Camunda's modification of many process instances: the same move (cancel one activity,
start before another) on the running instances of one definition, named by id or by a
process-instance query, all in one command; `executeAsync` answers a batch done already."""
from flask import g, jsonify

from app.core.errors import BadRequest
from app.platform import instance_operations, queries
from app.platform.done_batches import DoneBatch
from app.platform.instance_store import new_id

from . import blueprint, context, params, query_input
from .shapes import batch

FIELDS = ("processDefinitionId", "instructions", "processInstanceIds", "processInstanceQuery",
          "skipCustomListeners", "skipIoMappings", "annotation")


@blueprint.post("/modification/execute")
def modify_instances():
    _modify()
    return "", 204


@blueprint.post("/modification/executeAsync")
def modify_instances_async():
    ctx = context()
    started = ctx.now()
    moved = _modify()
    return jsonify(batch(DoneBatch(new_id(), "instance-modification", moved, g.actor.id, started)))


def _modify() -> int:
    params.known_only()
    body = params.json_body()
    params.known_fields(body, *FIELDS)
    for switch in ("skipCustomListeners", "skipIoMappings"):
        if not isinstance(body.get(switch, False), bool):
            raise BadRequest(f"{switch} 应为 true 或 false / {switch} must be a boolean",
                             [{"field": switch, "message": "应为 true 或 false"}])
    ctx = context()
    with ctx.db.command() as session:
        chosen = _named_ids(body.get("processInstanceIds"))
        if body.get("processInstanceQuery") is not None:
            chosen += _queried_ids(session, body["processInstanceQuery"])
        return instance_operations.move_tokens(ctx, session, g.actor, body.get("processDefinitionId"),
                                               body.get("instructions"), chosen, body.get("annotation"))


def _named_ids(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest("processInstanceIds 应为流程实例 id 的数组 / processInstanceIds must be an array of ids",
                         [{"field": "processInstanceIds", "message": "应为流程实例 id 的数组"}])
    return value


def _queried_ids(session, query) -> list[str]:
    if not isinstance(query, dict):
        raise BadRequest("processInstanceQuery 应为查询对象 / processInstanceQuery must be a query object",
                         [{"field": "processInstanceQuery", "message": "应为查询对象"}])
    q = query_input.from_json(queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS, query)
    return queries.running_instance_ids(session, g.actor, q)
