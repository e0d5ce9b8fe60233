"""GET /version."""
from flask import jsonify

from . import blueprint


@blueprint.get("/version")
def get_version():
    return jsonify({"version": "7.20.0-ticflow"})
