"""A process instance's variables: all of them, or one by name."""
from flask import g, jsonify

from app.core.errors import NotFound
from app.platform import variables
from app.platform.process_instances import variables_of

from . import blueprint, context, params


@blueprint.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id):
    params.known_only("deserializeValues")
    deserialize = params.bool_arg("deserializeValues") is not False
    with context().db.read() as session:
        shown, types = variables_of(session, g.actor, instance_id)
    return jsonify(variables.to_camunda(shown, types, deserialize))


@blueprint.get("/process-instance/<instance_id>/variables/<name>")
def get_variable(instance_id, name):
    params.known_only("deserializeValue")
    deserialize = params.bool_arg("deserializeValue") is not False
    with context().db.read() as session:
        shown, types = variables_of(session, g.actor, instance_id)
    if name not in shown:
        # A confidential variable is as absent as one never set, for whoever may not read it.
        raise NotFound(f"流程实例 {instance_id} 没有变量 {name} / process instance variable with "
                       f"name {name} does not exist")
    return jsonify(variables.typed(shown[name], types.get(name), deserialize))
