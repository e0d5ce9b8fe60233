"""The Camunda 7 style REST API under /engine-rest, with HTTP Basic authentication."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from app.core import login_guard
from app.core.errors import ServiceError, Unauthorized

from ..current import context
from ..request_input import API_PREFIXES

API_PREFIX = "/engine-rest"
blueprint = Blueprint("rest", __name__)


@blueprint.before_request
def require_basic_auth():
    """Every call authenticates (HTTP Basic) through the one throttle of every sign-in path."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        raise Unauthorized("需要登录（HTTP Basic）/ authentication required")
    try:
        username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise Unauthorized("认证信息格式错误 / malformed credentials") from error
    g.actor = login_guard.basic_sign_in(context(), username, password, request.remote_addr)


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
    """Another face of the API (/api): the same Basic authentication and JSON error shapes."""
    api = Blueprint(name, __name__)
    api.before_request(require_basic_auth)
    api.register_error_handler(ServiceError, service_error)
    api.register_error_handler(Exception, unexpected_error)
    return api


from . import (  # noqa: E402,F401
    decisions, definitions, deployments, history, instances, jobs, messages, migration, tasks, version,
)
from . import task_collaboration  # noqa: E402,F401
