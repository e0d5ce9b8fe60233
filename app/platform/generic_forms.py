"""The generic form of a user task that names no form (no `camunda:formKey`), as Camunda's
Tasklist shows one: the task's `camunda:formField`s when the model has them, else the
process variables the officer may read, each as a field of its kind.

It is a JSON Schema like any deployed form, so the Tasklist renders, parses and checks it
with the same code."""
from __future__ import annotations

GENERIC_TITLE = "通用表单"

# camunda:formField types -> JSON Schema.
_FIELD_TYPES = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}


def generic_form(fields: list[dict], values: dict) -> tuple[dict, dict]:
    """(schema, UI hints) of the model's form fields, or else of the variables in `values`."""
    properties = dict(_from_fields(fields)) if fields else dict(_from_values(values))
    hints = {field["id"]: {"x-enumNames": {v["id"]: v.get("name") or v["id"] for v in field["values"]}}
             for field in fields if field["type"] == "enum" and field.get("values")}
    return {"type": "object", "title": GENERIC_TITLE, "properties": properties}, {"fields": hints}


def _from_fields(fields: list[dict]):
    for field in fields:
        prop = dict(_FIELD_TYPES.get(field["type"], {"type": "string"}))
        if field["type"] == "enum" and field.get("values"):
            prop["enum"] = [v["id"] for v in field["values"]]
        prop["title"] = field.get("label") or field["id"]
        default = _default(prop, field.get("defaultValue"))
        if default is not None:
            prop["default"] = default
        yield field["id"], prop


def _default(prop: dict, text: str | None):
    """A form field's default as its type reads it; an unreadable one is left out."""
    if text is None or text.startswith("${"):
        return None
    if prop["type"] == "boolean":
        return {"true": True, "false": False}.get(text.lower())
    if prop["type"] == "integer":
        return int(text) if text.lstrip("-").isdigit() else None
    return text


def _from_values(values: dict):
    for name, value in values.items():
        kind = _kind_of(value)
        if kind is not None:
            yield name, {"type": kind, "title": name}


def _kind_of(value) -> str | None:
    """The field a variable's value can be edited in; lists and objects are shown, not edited."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str) or value is None:
        return "string"
    return None
