"""The Camunda 7 style REST API under /engine-rest, with HTTP Basic authentication."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from app.core import login_guard
from app.core.errors import ServiceError

from .. import api_auth
from ..basic_auth import require_basic_auth
from ..current import context
from ..request_input import API_PREFIXES

API_PREFIX = "/engine-rest"
blueprint = Blueprint("rest", __name__)
blueprint.before_request(require_basic_auth)


@blueprint.errorhandler(ServiceError)
def service_error(error: ServiceError):
    body = {"type": error.error_type, "message": error.message}
    if error.errors:
        body["errors"] = error.errors
    response = jsonify(body)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="TIC Flow"'
    if isinstance(error, login_guard.AccountLocked):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """JSON for API paths, even when no route matched (so the blueprint never ran)."""
    if not request.path.startswith(API_PREFIXES):
        return error
    response = jsonify({"type": type(error).__name__, "message": error.description})
    response.status_code = error.code or 500
    return response


@blueprint.errorhandler(Exception)
def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("unexpected error in REST call")
    response = jsonify({"type": "ProcessEngineException",
                        "message": "服务器内部错误，请联系管理员 / internal server error"})
    response.status_code = 500
    return response


def json_api_blueprint(name: str) -> Blueprint:
    """Another face of the API (/api): Basic or the signed-in session (`api_auth`), and the
    same JSON error shapes."""
    api = Blueprint(name, __name__)
    api.before_request(api_auth.authenticate)
    api.register_error_handler(ServiceError, service_error)
    api.register_error_handler(Exception, unexpected_error)
    return api


from . import (  # noqa: E402,F401
    decisions, definitions, deployments, history, instances, jobs, messages, migration, statistics, tasks,
    version,
)
from . import task_collaboration  # noqa: E402,F401
