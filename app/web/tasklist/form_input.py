"""Read a posted task form back into values, typed by the form's JSON Schema.

What cannot be converted (letters in a number field) is kept as typed: the schema then
reports it beside the field, and the page shows the user's own text again.
"""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from app.platform.task_forms import locate

from .form_model import base_type, input_text, join

_MISSING = object()
ROW_MARKER = "__row"


def parse(schema: dict, form: MultiDict) -> dict:
    values = _object(schema or {}, "", form, required=True)
    return values if isinstance(values, dict) else {}


def _value(schema: dict, name: str, form: MultiDict, required: bool):
    kind, nullable = base_type(schema)
    if kind == "object":
        return _object(schema, name, form, required)
    if kind == "array":
        return _array(schema.get("items") or {}, name, form)
    raw = form.get(name)
    if raw is None or raw.strip() == "":
        return None if nullable and raw is not None else _MISSING
    return _scalar(schema, kind, raw)


def _object(schema: dict, name: str, form: MultiDict, required: bool):
    needed = set(schema.get("required") or [])
    found = {}
    for prop, sub in (schema.get("properties") or {}).items():
        value = _value(sub, join(name, prop), form, prop in needed)
        if value is not _MISSING:
            found[prop] = value
    if not found and not required and not _has_marker(name, form):
        return _MISSING
    return found


def _has_marker(name: str, form: MultiDict) -> bool:
    return join(name, ROW_MARKER) in form


def _array(items: dict, name: str, form: MultiDict) -> list:
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)(?:\.|$)")
    indices = sorted({int(m.group(1)) for k in form.keys() if (m := pattern.match(k))})
    rows = [_value(items, join(name, i), form, required=True) for i in indices]
    return [row for row in rows if row is not _MISSING]


def _scalar(schema: dict, kind: str | None, raw: str):
    options = _options(schema)
    if options:
        return options.get(raw, raw)
    if kind == "integer":
        return _number(raw, int)
    if kind == "number":
        return _number(raw, float)
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw if "\n" in raw else raw.strip()


def _options(schema: dict) -> dict:
    consts = [o["const"] for o in schema.get("oneOf") or [] if isinstance(o, dict) and "const" in o]
    return {input_text(v): v for v in consts or schema.get("enum") or [] if v is not None}


def _number(raw: str, convert):
    text = raw.strip().replace(",", "")
    try:
        number = convert(text)
    except ValueError:
        return raw
    if convert is float and number.is_integer() and not re.search(r"[.eE]", text):
        return int(number)
    return number


def add_row(schema: dict, values: dict, path: str) -> None:
    """Append an empty row to the array at `path` (the "add row" button without JS)."""
    items = schema_at(schema, path).get("items") or {}
    empty = {} if base_type(items)[0] == "object" else ""
    located = locate(values, path)
    if located is None:
        return
    container, last = located
    if not isinstance(container.get(last), list):
        container[last] = []
    container[last].append(empty)


def remove_row(values: dict, path: str) -> None:
    """Remove the row at `path` (`coBuilders.1`)."""
    array_path, _, index = path.rpartition(".")
    located = locate(values, array_path) if index.isdigit() else None
    if located is None:
        return
    container, last = located
    rows = container.get(last)
    if isinstance(rows, list) and int(index) < len(rows):
        rows.pop(int(index))


def schema_at(schema: dict, path: str) -> dict:
    """The subschema of a value path; row indices step into `items`."""
    node = schema or {}
    for part in path.split("."):
        node = (node.get("items") if part.isdigit() else (node.get("properties") or {}).get(part)) or {}
    return node

