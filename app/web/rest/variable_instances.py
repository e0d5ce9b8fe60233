"""Variable instances, running and historic: list, count, one, a binary one's content."""
from flask import g, jsonify

from app.platform import variable_files
from app.platform.variable_instances import (
    HISTORIC_CRITERIA, HISTORIC_SORTS, RUNNING_CRITERIA, RUNNING_SORTS, count_variables, filter_of, get_variable,
    list_variables,
)

from . import blueprint, context, params, query_input, shapes
from .instance_variables import download

DESERIALIZE = ("deserializeValues",)
_LISTS = {True: (RUNNING_CRITERIA, RUNNING_SORTS, shapes.variable_instance),
          False: (HISTORIC_CRITERIA, HISTORIC_SORTS, shapes.historic_variable_instance)}


def _listed(running_only: bool, posted: bool):
    criteria, sorts, shape = _LISTS[running_only]
    query = (query_input.from_body(criteria, sorts, also=DESERIALIZE) if posted
             else query_input.from_args(criteria, sorts, also=DESERIALIZE))
    deserialize = params.bool_arg("deserializeValues") is not False
    with context().db.read() as session:
        found = list_variables(session, g.actor, filter_of(query, running_only), params.page())
        return jsonify([shape(v, deserialize) for v in found])


def _counted(running_only: bool, posted: bool):
    criteria, sorts, _shape = _LISTS[running_only]
    query = query_input.from_body(criteria, sorts, paged=False) if posted else query_input.from_args(criteria)
    with context().db.read() as session:
        return jsonify({"count": count_variables(session, g.actor, filter_of(query, running_only))})


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
    return _listed(True, posted=False)


@blueprint.post("/variable-instance")
def query_running():
    return _listed(True, posted=True)


@blueprint.get("/variable-instance/count")
def count_running():
    return _counted(True, posted=False)


@blueprint.post("/variable-instance/count")
def count_queried_running():
    return _counted(True, posted=True)


@blueprint.get("/variable-instance/<variable_id>")
def get_running(variable_id):
    return _one(variable_id, True, shapes.variable_instance)


@blueprint.get("/variable-instance/<variable_id>/data")
def data_running(variable_id):
    return _data(variable_id, True)


@blueprint.get("/history/variable-instance")
def list_historic():
    return _listed(False, posted=False)


@blueprint.post("/history/variable-instance")
def query_historic():
    return _listed(False, posted=True)


@blueprint.get("/history/variable-instance/count")
def count_historic():
    return _counted(False, posted=False)


@blueprint.post("/history/variable-instance/count")
def count_queried_historic():
    return _counted(False, posted=True)


@blueprint.get("/history/variable-instance/<variable_id>")
def get_historic(variable_id):
    return _one(variable_id, False, shapes.historic_variable_instance)


@blueprint.get("/history/variable-instance/<variable_id>/data")
def data_historic(variable_id):
    return _data(variable_id, False)
