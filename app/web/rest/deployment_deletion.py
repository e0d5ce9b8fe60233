"""DELETE /deployment/{id}: a deployment removed, with its instances when `cascade` is true;
and DELETE /process-definition/{id} (or every version of a key) the same way for process
definitions, their deployments staying."""
from flask import g

from app.platform import process_definitions
from app.platform.deployment_deletion import delete_definitions, delete_deployment

from . import blueprint, context, params

# Camunda's flags for what runs while instances are deleted: nothing runs here, so they are
# read (a bad value is a 400) and change nothing.
NO_OP_FLAGS = ("skipCustomListeners", "skipIoMappings")


@blueprint.delete("/deployment/<deployment_id>")
def delete_deployment_by_id(deployment_id):
    cascade = _flags()
    ctx = context()
    with ctx.db.command() as session:
        delete_deployment(ctx, session, g.actor, deployment_id, cascade)
    return "", 204


@blueprint.delete("/process-definition/<definition_id>")
def delete_definition_by_id(definition_id):
    cascade = _flags()
    ctx = context()
    with ctx.db.command() as session:
        delete_definitions(ctx, session, g.actor, [process_definitions.by_id(session, definition_id)], cascade)
    return "", 204


@blueprint.delete("/process-definition/key/<key>")
def delete_definitions_by_key(key):
    cascade = _flags()
    ctx = context()
    with ctx.db.command() as session:
        process_definitions.latest(session, key)
        delete_definitions(ctx, session, g.actor, process_definitions.versions(session, key), cascade)
    return "", 204


def _flags() -> bool:
    """`cascade`, after Camunda's flags that change nothing here are checked."""
    params.known_only("cascade", *NO_OP_FLAGS)
    for name in NO_OP_FLAGS:
        params.bool_arg(name)
    return params.bool_arg("cascade") is True
