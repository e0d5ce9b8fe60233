"""Checks on what a request carries, shared by every face: a NUL character anywhere, and
whole numbers written as decimal digits within a stated range."""
from __future__ import annotations

import re

from flask import jsonify, request

from app.core.errors import BadRequest, ServiceError

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
_DIGITS = re.compile(r"-?[0-9]{1,20}")
API_PREFIXES = ("/engine-rest/", "/api/")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul() -> None:
    """before_request: no id or value contains NUL, and PostgreSQL cannot even compare one."""
    if "\x00" in request.path:
        raise nul_refused("path", "路径")
    # A query string carries NUL only percent-encoded: one look at the raw bytes, and the
    # parameters are read only when there is one (this runs on every request).
    sources = [request.args] if b"%00" in request.query_string else []
    if request.mimetype in _FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise nul_refused(name.replace("\x00", ""), f"参数 {name.replace(chr(0), '')}")


def nul_refused(field: str, label: str) -> BadRequest:
    return BadRequest(f"{label}含有非法字符（NUL）/ {field} contains a NUL character",
                      [{"field": field, "message": f"{label}：含有非法字符（NUL）"}])


def parse_int(text: str, field: str, low: int = INT32_MIN, high: int = INT32_MAX) -> int:
    """`text` as a whole number in [low, high]; anything else is a 400 naming `field`."""
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise BadRequest(f"参数 {field} 应为 {low} 到 {high} 之间的整数 / {field} must be an "
                         f"integer from {low} to {high}",
                         [{"field": field, "message": f"应为 {low} 到 {high} 之间的整数"}])
    return int(text)


def refused_outside_a_face(error: ServiceError):
    """A refusal on a path no face handles (no route matched): JSON under the API, else text."""
    if request.path.startswith(API_PREFIXES):
        body = {"type": error.error_type, "message": error.message, "errors": error.errors}
        return jsonify(body), error.status
    return error.message, error.status, {"Content-Type": "text/plain; charset=utf-8"}
