"""A process instance's variables, and a task's (its instance's): all of them, one by name,
a binary one's content."""
import base64
import io

from flask import g, jsonify, request, send_file

from app.core.errors import BadRequest, NotFound
from app.platform import instance_operations, user_tasks, variable_files, variables
from app.platform.process_instances import variables_of

from . import blueprint, context, params
from ..headers import inert


@blueprint.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id):
    params.known_only("deserializeValues")
    with context().db.read() as session:
        shown, types = variables_of(session, g.actor, instance_id)
        return _all(session, instance_id, shown, types)


@blueprint.get("/process-instance/<instance_id>/variables/<name>")
def get_variable(instance_id, name):
    params.known_only("deserializeValue")
    with context().db.read() as session:
        shown, types = variables_of(session, g.actor, instance_id)
        return _one(session, instance_id, shown, types, name)


@blueprint.get("/process-instance/<instance_id>/variables/<name>/data")
def get_variable_data(instance_id, name):
    params.known_only()
    with context().db.read() as session:
        return download(variable_files.data_of(session, g.actor, instance_id, name))


@blueprint.post("/process-instance/<instance_id>/variables/<name>/data")
def post_variable_data(instance_id, name):
    """Camunda's upload of one File or Bytes variable (multipart: `data`, `valueType`), an
    administrator's repair like the other writes of a case's variables."""
    params.known_only()
    unknown = sorted(set(request.form) - {"valueType"}) + sorted(set(request.files) - {"data"})
    if unknown:
        raise BadRequest(f"不支持的字段 {unknown[0]} / unsupported field {unknown[0]}",
                         [{"field": unknown[0], "message": "不支持的字段"}])
    upload, kind = request.files.get("data"), request.form.get("valueType") or "Bytes"
    if upload is None:
        raise BadRequest("缺少文件 data / the data part is missing", [{"field": "data", "message": "请上传文件"}])
    if kind not in ("File", "Bytes"):
        raise BadRequest("valueType 应为 File 或 Bytes / valueType must be File or Bytes",
                         [{"field": "valueType", "message": "应为 File 或 Bytes"}])
    values, types = variables.from_camunda({name: {
        "type": kind, "value": base64.b64encode(upload.read()).decode("ascii"),
        "valueInfo": {"filename": upload.filename, "mimeType": upload.mimetype}}}, binaries=True)
    binaries = variables.take_binaries(values, types)
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.modify_variables(ctx, session, g.actor, instance_id, values, types, [])
        variable_files.keep(ctx, session, instance_id, binaries)
    return "", 204


@blueprint.post("/process-instance/<instance_id>/variables")
def modify_variables(instance_id):
    _modify(instance_id, *modifications())
    return "", 204


@blueprint.put("/process-instance/<instance_id>/variables/<name>")
def put_variable(instance_id, name):
    _modify(instance_id, *one_variable(name), [])
    return "", 204


@blueprint.delete("/process-instance/<instance_id>/variables/<name>")
def delete_variable(instance_id, name):
    _modify(instance_id, {}, {}, [name])
    return "", 204


def modifications() -> tuple[dict, dict, list]:
    """Camunda's `{modifications, deletions}` body: values, declared types, names to remove."""
    body = params.json_body()
    values, types = variables.from_camunda(body.get("modifications"))
    return values, types, body.get("deletions") or []


def one_variable(name: str) -> tuple[dict, dict]:
    """The typed value a PUT of one variable sends as its body."""
    return variables.from_camunda({name: params.json_body()})


def _modify(instance_id: str, values: dict, types: dict, deletions) -> None:
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.modify_variables(ctx, session, g.actor, instance_id, values, types, deletions)


@blueprint.get("/task/<task_id>/variables")
def get_task_variables(task_id):
    params.known_only("deserializeValues")
    with context().db.read() as session:
        instance_id, shown, types = user_tasks.task_variables(session, g.actor, task_id)
        return _all(session, instance_id, shown, types)


@blueprint.get("/task/<task_id>/variables/<name>")
def get_task_variable(task_id, name):
    params.known_only("deserializeValue")
    with context().db.read() as session:
        instance_id, shown, types = user_tasks.task_variables(session, g.actor, task_id)
        return _one(session, instance_id, shown, types, name)


@blueprint.get("/task/<task_id>/variables/<name>/data")
def get_task_variable_data(task_id, name):
    params.known_only()
    with context().db.read() as session:
        instance_id, _shown, _types = user_tasks.task_variables(session, g.actor, task_id)
        return download(variable_files.data_of(session, g.actor, instance_id, name))


def download(row):
    """A binary variable's row (`variable_files.data_of`) as a download, never rendered: its
    type is the client's claim."""
    return inert(send_file(io.BytesIO(row.data), mimetype=row.mime_type or "application/octet-stream",
                           as_attachment=True, download_name=row.file_name or row.name))


def _all(session, instance_id: str, shown: dict, types: dict):
    deserialize = params.bool_arg("deserializeValues") is not False
    shaped = variables.to_camunda(shown, types, deserialize)
    for name, text in variable_files.bytes_values(session, instance_id, types, shown).items():
        shaped[name]["value"] = text
    return jsonify(shaped)


def _one(session, instance_id: str, shown: dict, types: dict, name: str):
    if name not in shown:
        # A confidential variable is as absent as one never set, for whoever may not read it.
        raise NotFound(f"没有变量 {name} / variable with name {name} does not exist")
    shaped = variables.typed(shown[name], types.get(name), params.bool_arg("deserializeValue") is not False)
    inline = variable_files.bytes_values(session, instance_id, types, [name])
    if name in inline:
        shaped["value"] = inline[name]
    return jsonify(shaped)
