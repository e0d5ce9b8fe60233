"""A user task's local variables: all, one by name, set, removed, modified together."""
from flask import g, jsonify

from app.platform import task_local_variables, variables

from . import blueprint, context, params
from .instance_variables import modifications, one_variable


@blueprint.get("/task/<task_id>/localVariables")
def get_local_variables(task_id):
    params.known_only("deserializeValues")
    with context().db.read() as session:
        values, types = task_local_variables.read(session, g.actor, task_id)
    return jsonify(variables.to_camunda(values, types, params.bool_arg("deserializeValues") is not False))


@blueprint.get("/task/<task_id>/localVariables/<name>")
def get_local_variable(task_id, name):
    params.known_only("deserializeValue")
    with context().db.read() as session:
        value, declared = task_local_variables.read_one(session, g.actor, task_id, name)
    return jsonify(variables.typed(value, declared, params.bool_arg("deserializeValue") is not False))


@blueprint.post("/task/<task_id>/localVariables")
def modify_local_variables(task_id):
    _modify(task_id, *modifications())
    return "", 204


@blueprint.put("/task/<task_id>/localVariables/<name>")
def put_local_variable(task_id, name):
    _modify(task_id, *one_variable(name), [])
    return "", 204


@blueprint.delete("/task/<task_id>/localVariables/<name>")
def delete_local_variable(task_id, name):
    _modify(task_id, {}, {}, [name])
    return "", 204


def _modify(task_id: str, values: dict, types: dict, deletions) -> None:
    ctx = context()
    with ctx.db.command() as session:
        task_local_variables.modify(ctx, session, g.actor, task_id, values, types, deletions)
