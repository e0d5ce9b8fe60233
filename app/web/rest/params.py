"""Reading request parameters and bodies: bad input is a 400, never a 500."""
from __future__ import annotations

import json

from flask import request

from app.core.errors import BadRequest
from app.core.paging import Page

from ..current import context
from ..request_input import nul_refused, parse_int

# Deeper bodies are no request a client means to send; Python's parser would recurse
# until it fails.
MAX_JSON_DEPTH = 64


def json_body() -> dict:
    if not request.data:
        return {}
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象 / the body must be a JSON object")
    _check_values(body)
    return body


def _check_values(body: dict) -> None:
    """No NUL in any key or text, no nesting beyond MAX_JSON_DEPTH; walked without recursion."""
    pending = [(body, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            field = f"{path}.{key}" if path else str(key)
            if "\x00" in field or isinstance(item, str) and "\x00" in item:
                raise nul_refused(field.replace("\x00", ""), f"字段 {field.replace(chr(0), '')}")
            if isinstance(item, (dict, list)):
                pending.append((item, field, depth + 1))


def _too_deep() -> BadRequest:
    return BadRequest(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层 / the JSON body is nested too deeply")


# Every list takes these besides its filters; its `/count` takes only the filters.
PAGING = ("firstResult", "maxResults")


def page() -> Page:
    """The page a list asks for: whole by default; with Camunda's queryMaxResultsLimit set
    (QUERY_MAX_RESULTS_LIMIT), `maxResults` is required and at most the limit."""
    max_results = request.args.get("maxResults")
    page = Page(first=int_arg("firstResult", 0),
                max_results=None if max_results is None else parse_int(max_results, "maxResults", 0))
    limit = context().settings.query_max_results_limit
    if limit is not None and (page.max_results is None or page.max_results > limit):
        raise BadRequest(f"maxResults 必须给出且不超过 {limit} / Max results limit of {limit} exceeded!",
                         [{"field": "maxResults", "message": f"必须给出且不超过 {limit}"}])
    return page


# The JSON under /api is not Camunda's contract: its lists come a bounded page at a time
# (the inbox walks a crowded box only as far as its page).
API_DEFAULT_RESULTS, API_MAX_RESULTS = 100, 1000


def api_page() -> Page:
    """The page an /api list asks for: `maxResults` (default 100) at most 1000."""
    max_results = int_arg("maxResults", API_DEFAULT_RESULTS)
    return Page(first=int_arg("firstResult", 0), max_results=min(max(max_results, 0), API_MAX_RESULTS))


def int_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    return default if value is None else parse_int(value, name)


def bool_arg(name: str) -> bool | None:
    value = request.args.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise BadRequest(f"参数 {name} 应为 true 或 false / {name} must be true or false",
                         [{"field": name, "message": "应为 true 或 false"}])
    return value == "true"


def known_fields(body: dict, *names: str) -> None:
    """Refuse a body field the operation does not take (DOMAIN.md: never ignored)."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise BadRequest(f"不支持的字段 {unknown[0]} / unsupported field {unknown[0]}",
                         [{"field": name, "message": "不支持的字段"} for name in unknown])


def boolean_fields(body: dict, *names: str) -> None:
    """Refuse a body field of `names` that is given and is not true or false."""
    for name in names:
        if not isinstance(body.get(name, False), bool):
            raise BadRequest(f"{name} 应为 true 或 false / {name} must be true or false",
                             [{"field": name, "message": "应为 true 或 false"}])


def known_only(*names: str) -> None:
    """Refuse a query parameter the endpoint does not offer (DOMAIN.md: never ignored)."""
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise BadRequest(f"不支持的参数 {unknown[0]} / unsupported query parameter {unknown[0]}",
                         [{"field": unknown[0], "message": "不支持的参数"}])
