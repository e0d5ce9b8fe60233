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


# What Camunda's JAX-RS layer names the HTTP errors raised before a resource runs.
_JAX_RS_NAMES = {
    400: "BadRequestException", 404: "NotFoundException", 405: "NotAllowedException",
    406: "NotAcceptableException", 413: "RestException", 415: "NotSupportedException",
}
_HTTP_MESSAGES = {
    400: "请求格式不正确", 404: "找不到该路径", 405: "该路径不支持此请求方法",
    406: "无法按要求的格式应答", 413: "请求过大", 415: "不支持的请求内容类型",
}


@blueprint.errorhandler(ServiceError)
def service_error(error: ServiceError):
    body = {"type": error.error_type, "message": error.message, "code": error.code}
    if error.errors:
        body["errors"] = error.errors
    if error.error_type == "ParseException":
        body["details"] = parse_details(error.errors)
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
    status = error.code or 500
    english = f"HTTP {status} {error.name}"
    message = f"{_HTTP_MESSAGES[status]} / {english}" if status in _HTTP_MESSAGES else english
    response = jsonify({"type": _JAX_RS_NAMES.get(status, "WebApplicationException"),
                        "message": message, "code": 0})
    response.status_code = status
    return response


def parse_details(errors: list[dict]) -> dict:
    """Camunda's ParseException `details`: each file's located errors and warnings."""
    details: dict[str, dict] = {}
    for problem in errors:
        element = problem.get("element_id")
        entry = {"message": problem["message"], "line": problem.get("line"), "column": None,
                 "mainElementId": element, "elementIds": [element] if element else []}
        kind = "warnings" if problem.get("severity") == "warning" else "errors"
        details.setdefault(problem["field"], {"errors": [], "warnings": []})[kind].append(entry)
    return details


@blueprint.errorhandler(Exception)
def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("unexpected error in REST call")
    response = jsonify({"type": "ProcessEngineException",
                        "message": "服务器内部错误，请联系管理员 / internal server error", "code": 0})
    response.status_code = 500
    return response


def self_link(path: str) -> list[dict]:
    """Camunda's `links` of a created resource: where to read it."""
    return [{"method": "GET", "href": f"{request.host_url.rstrip('/')}{API_PREFIX}{path}", "rel": "self"}]


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
from . import (  # noqa: E402,F401
    external_tasks, instance_variables, openapi, task_collaboration, variable_history, variable_instances,
)
from . import (  # noqa: E402,F401
    batch_history, batch_operations, cleanable_reports, decision_history, definition_by_id, deployment_deletion,
    event_subscriptions, execution_variables, executions, external_task_log, filters, identity, identity_changes,
    job_definitions, job_log, metrics, modification, operation_log, signals, task_identity_links,
    task_local_variables,
)
