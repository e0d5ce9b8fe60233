"""Variable instances, running and historic: list, count, one, a binary one's content."""
from flask import g, jsonify, request

from app.platform import variable_files
from app.platform.variable_instances import VariableFilter, count_variables, get_variable, list_variables

from . import blueprint, context, params, query_input, shapes
from .instance_variables import download

COMMON_FILTERS = ("variableName", "variableNameLike", "processInstanceIdIn", "processDefinitionKey")
FILTERS = (*COMMON_FILTERS, "variableValues", "variableNamesIgnoreCase", "variableValuesIgnoreCase")
HISTORIC_FILTERS = (*COMMON_FILTERS, "processInstanceId")


def _filter(running_only: bool) -> VariableFilter:
    args = request.args
    instance_ids = [i for i in (args.get("processInstanceIdIn") or "").split(",") if i]
    if args.get("processInstanceId"):
        instance_ids.append(args["processInstanceId"])
    return VariableFilter(
        instance_ids=tuple(instance_ids), process_key=args.get("processDefinitionKey"),
        names=(args["variableName"],) if args.get("variableName") else (),
        name_like=args.get("variableNameLike"), running_only=running_only,
        values=query_input.variable_filters("variableValues") if running_only else ())


def _deserialize() -> bool:
    return params.bool_arg("deserializeValues") is not False


def _listed(running_only: bool, shape):
    params.known_only(*(FILTERS if running_only else HISTORIC_FILTERS), *params.PAGING, "deserializeValues")
    with context().db.read() as session:
        found = list_variables(session, g.actor, _filter(running_only), params.page())
        return jsonify([shape(v, _deserialize()) for v in found])


def _counted(running_only: bool):
    params.known_only(*(FILTERS if running_only else HISTORIC_FILTERS))
    with context().db.read() as session:
        return jsonify({"count": count_variables(session, g.actor, _filter(running_only))})


def _one(variable_id: str, running_only: bool, shape):
    params.known_only("deserializeValue")
    with context().db.read() as session:
        found = get_variable(session, g.actor, variable_id, running_only)
        body = shape(found, params.bool_arg("deserializeValue") is not False)
        inline = variable_files.bytes_values(session, found.instance.id, {found.name: found.declared}, [found.name])
    if inline:
        body["value"] = inline[found.name]
    return jsonify(body)


def _data(variable_id: str, running_only: bool):
    params.known_only()
    with context().db.read() as session:
        found = get_variable(session, g.actor, variable_id, running_only)
        return download(variable_files.data_of(session, g.actor, found.instance.id, found.name))


@blueprint.get("/variable-instance")
def list_running():
    return _listed(True, shapes.variable_instance)


@blueprint.get("/variable-instance/count")
def count_running():
    return _counted(True)


@blueprint.get("/variable-instance/<variable_id>")
def get_running(variable_id):
    return _one(variable_id, True, shapes.variable_instance)


@blueprint.get("/variable-instance/<variable_id>/data")
def data_running(variable_id):
    return _data(variable_id, True)


@blueprint.get("/history/variable-instance")
def list_historic():
    return _listed(False, shapes.historic_variable_instance)


@blueprint.get("/history/variable-instance/count")
def count_historic():
    return _counted(False)


@blueprint.get("/history/variable-instance/<variable_id>")
def get_historic(variable_id):
    return _one(variable_id, False, shapes.historic_variable_instance)


@blueprint.get("/history/variable-instance/<variable_id>/data")
def data_historic(variable_id):
    return _data(variable_id, False)
