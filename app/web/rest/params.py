"""Reading request parameters and bodies: bad input is a 400, never a 500."""
from __future__ import annotations

from flask import request

from app.services.errors import BadRequest
from app.services.queries import Page


def json_body() -> dict:
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象 / the body must be a JSON object")
    return body


def page() -> Page:
    return Page(first=int_arg("firstResult", 0), max_results=int_arg("maxResults", 100))


def int_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"参数 {name} 应为整数 / {name} must be an integer") from None


def bool_arg(name: str) -> bool | None:
    value = request.args.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise BadRequest(f"参数 {name} 应为 true 或 false / {name} must be true or false")
    return value == "true"
