"""GET /version."""
from flask import jsonify

from . import blueprint, params


@blueprint.get("/version")
def get_version():
    params.known_only()
    return jsonify({"version": "7.20.0-ticflow"})
