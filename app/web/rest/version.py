"""GET /version, and GET /engine: the one process engine behind /engine-rest, named as
Camunda names its default engine (clients list the engines before choosing one)."""
from flask import jsonify

from . import blueprint, params


@blueprint.get("/version")
def get_version():
    params.known_only()
    return jsonify({"version": "7.20.0-ticflow"})


@blueprint.get("/engine")
def list_engines():
    params.known_only()
    return jsonify([{"name": "default"}])
