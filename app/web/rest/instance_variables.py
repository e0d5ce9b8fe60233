"""A process instance's variables: all of them, one by name, a binary one's content."""
import io

from flask import g, jsonify, send_file

from app.core.errors import NotFound
from app.platform import variable_files, variables
from app.platform.process_instances import variables_of

from . import blueprint, context, params
from ..headers import inert


@blueprint.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id):
    params.known_only("deserializeValues")
    deserialize = params.bool_arg("deserializeValues") is not False
    with context().db.read() as session:
        shown, types = variables_of(session, g.actor, instance_id)
        inline = variable_files.bytes_values(session, instance_id, types, shown)
    return jsonify(_with_bytes(variables.to_camunda(shown, types, deserialize), inline))


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
        inline = variable_files.bytes_values(session, instance_id, types, [name])
    return jsonify(_with_bytes({name: variables.typed(shown[name], types.get(name), deserialize)}, inline)[name])


@blueprint.get("/process-instance/<instance_id>/variables/<name>/data")
def get_variable_data(instance_id, name):
    params.known_only()
    with context().db.read() as session:
        row = variable_files.data_of(session, g.actor, instance_id, name)
        data, file_name, mime_type = row.data, row.file_name, row.mime_type
    # Always a download, never rendered: the type is the client's claim, not checked.
    return inert(send_file(io.BytesIO(data), mimetype=mime_type or "application/octet-stream",
                           as_attachment=True, download_name=file_name or name))


def _with_bytes(shaped: dict, inline: dict) -> dict:
    for name, text in inline.items():
        shaped[name]["value"] = text
    return shaped
