"""Camunda's modification of many process instances: the same move (cancel one activity,
start before another) on the running instances of one definition, named by id or by a
process-instance query, all in one command; `executeAsync` answers a batch done already."""
from flask import g, jsonify

from app.platform import done_batches, instance_operations
from app.platform.done_batches import DoneBatch

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
    return jsonify(batch(_modify("instance-modification")))


def _modify(batch_type: str | None = None) -> DoneBatch | None:
    """The modification in the body, in one command (and its done batch, of `batch_type`)."""
    params.known_only()
    body = params.json_body()
    params.known_fields(body, *FIELDS)
    params.boolean_fields(body, "skipCustomListeners", "skipIoMappings")
    ctx = context()
    started = ctx.now()
    with ctx.db.command() as session:
        moved = instance_operations.move_tokens(ctx, session, g.actor, body.get("processDefinitionId"),
                                                body.get("instructions"), chosen_instance_ids(session, body),
                                                body.get("annotation"))
        return done_batches.keep(ctx, session, g.actor, batch_type, moved, started) if batch_type else None
