"""DELETE /deployment/{id}: a deployment removed, with its instances when `cascade` is true."""
from flask import g

from app.platform.deployment_deletion import delete_deployment

from . import blueprint, context, params

# Camunda's flags for what runs while instances are deleted: nothing runs here, so they are
# read (a bad value is a 400) and change nothing.
NO_OP_FLAGS = ("skipCustomListeners", "skipIoMappings")


@blueprint.delete("/deployment/<deployment_id>")
def delete_deployment_by_id(deployment_id):
    params.known_only("cascade", *NO_OP_FLAGS)
    for name in NO_OP_FLAGS:
        params.bool_arg(name)
    ctx = context()
    with ctx.db.command() as session:
        delete_deployment(ctx, session, g.actor, deployment_id, params.bool_arg("cascade") is True)
    return "", 204
