"""Camunda's modification of many process instances: the same move (cancel one activity,
start before another) on the running instances of one definition, named by id or by a
process-instance query, all in one command; `executeAsync` answers a batch done already."""
from flask import g, jsonify

from app.platform import instance_operations
from app.platform.done_batches import DoneBatch
from app.platform.instance_store import new_id

from . import blueprint, context, params
from .instance_choice import chosen_instance_ids
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
    params.boolean_fields(body, "skipCustomListeners", "skipIoMappings")
    ctx = context()
    with ctx.db.command() as session:
        return instance_operations.move_tokens(ctx, session, g.actor, body.get("processDefinitionId"),
                                               body.get("instructions"), chosen_instance_ids(session, body),
                                               body.get("annotation"))
