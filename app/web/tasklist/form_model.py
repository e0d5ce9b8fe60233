"""A task form as a tree of fields, built from its JSON Schema, UI hints and values.

The templates render the tree (inputs, or read-only text); `form_input` reads a posted
form back into values with the same schema. Names are value paths with row indices
(`coBuilders.0.name`); UI hints are keyed by the path without them (`coBuilders.name`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.clock import parse_client_datetime, to_shanghai
from app.platform.task_forms import attachment_id

INDEX_PLACEHOLDER = "__INDEX__"
# A date with a time of day, as stored from an ISO string (2026-03-09T18:00:00+08:00).
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class PickOption:
    """A person a `user-select` field offers: a note beside the name (a workload, a reason to
    step aside), and whether the rule of the case keeps them from being picked."""

    id: str
    label: str
    note: str | None = None
    blocked: bool = False


@dataclass
class Field:
    name: str
    key: str
    title: str
    kind: str
    value: Any = None
    description: str | None = None
    required: bool = False
    nullable: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    widget: str | None = None
    error: str | None = None
    children: list[Field] = field(default_factory=list)
    rows: list[Field] = field(default_factory=list)
    template: Field | None = None
    hints: dict = field(default_factory=dict)
    attachment: dict | None = None
    picks: dict[str, PickOption] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The value as an input shows it."""
        return input_text(self.value)

    @property
    def label(self) -> str:
        """The value as a reader sees it: an option's label, a time as 2026-12-06 11:22 in
        Asia/Shanghai, or the text."""
        chosen = dict(self.options).get(self.text)
        return chosen if chosen is not None else reader_time(self.text) or self.text

    @property
    def visible_when(self) -> str | None:
        condition = self.hints.get("visible_when")
        return json.dumps(condition, ensure_ascii=False) if condition else None


def reader_time(text: str) -> str | None:
    """An ISO date-time (a due date, a signature's time) as officers read times; None for
    any other text."""
    if not _ISO_TIME.match(text):
        return None
    try:
        return to_shanghai(parse_client_datetime(text)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return None


def input_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def is_file_field(schema: dict, hints: dict) -> bool:
    return hints.get("widget") == "file" or bool(schema.get("contentMediaType"))


def hint_key(name: str) -> str:
    """The UI hints' key of a field name: without row indices."""
    return ".".join(part for part in name.split(".") if not part.isdigit())


def join(prefix: str, name) -> str:
    return f"{prefix}.{name}" if prefix else str(name)


def base_type(schema: dict) -> tuple[str | None, bool]:
    """The schema's type without "null", and whether null is allowed."""
    declared = schema.get("type")
    if isinstance(declared, list):
        kinds = [k for k in declared if k != "null"]
        return (kinds[0] if kinds else None), "null" in declared
    if declared is None and "properties" in schema:
        return "object", False
    return declared, False


class FormBuilder:
    """Builds the field tree of one schema with its UI hints and this request's errors.

    An editable form also gets `people` (a group's members as `PickOption`s, for
    `user-select` fields) and
    the instance's `attachments` by id (the files its file fields refer to); any form may get
    `organizations` (the units of some kinds, for `organization` fields: picked and shown by
    name, stored by id).

    In `english`, titles are the forms' `title_en` and choice names the hints'
    `x-enumNames-en` where they give them (the Chinese ones otherwise)."""

    def __init__(self, schema: dict, ui: dict | None, errors: dict[str, str] | None = None,
                 boolean_labels: tuple[str, str] = ("是", "否"), empty_label: str = "（请选择）",
                 people: Callable[[str], list] | None = None, attachments: dict[str, dict] | None = None,
                 organizations: Callable[[list[str]], list[tuple[str, str]]] | None = None,
                 english: bool = False):
        self.english = english
        self.schema = schema or {}
        self.ui = ui or {}
        self.hints_by_key = self.ui.get("fields") or {}
        self.errors = errors or {}
        self.boolean_labels = boolean_labels
        self.empty_label = empty_label
        self.people = people
        self.attachments = attachments or {}
        self.organizations = organizations

    def fields(self, values: dict) -> list[Field]:
        """The top-level fields in the UI's order (then the schema's)."""
        properties = self.schema.get("properties") or {}
        order = [n for n in self.ui.get("order") or [] if n in properties]
        order += [n for n in properties if n not in order]
        required = set(self.schema.get("required") or [])
        return [self.field(properties[n], n, n, (values or {}).get(n), n in required)
                for n in order]

    def field(self, schema: dict, name: str, key: str, value, required: bool) -> Field:
        kind, nullable = base_type(schema)
        hints = self._hints(key, name)
        built = Field(
            name=name, key=key, title=self.title(schema) or key.rsplit(".", 1)[-1],
            kind=kind or "string", value=value, description=schema.get("description"),
            required=required, nullable=nullable, widget=hints.get("widget"),
            error=self.errors.get(name), hints=hints,
        )
        if kind == "object":
            built.children = self._children(schema, name, key, value)
        elif kind == "array" and built.widget == "user-select" and self.people:
            built.kind = "people"
            offered = self.people(hints.get("group"))
            built.options = [(p.id, p.label) for p in offered]
            built.picks = {p.id: p for p in offered}
        elif kind == "array":
            self._rows(built, schema.get("items") or {}, value)
        else:
            self._scalar(built, schema)
        return built

    def title(self, schema: dict) -> str | None:
        """A schema's (or a UI entry's) title in the builder's language."""
        return (self.english and schema.get("title_en")) or schema.get("title")

    def _hints(self, key: str, name: str) -> dict:
        raw = self.hints_by_key.get(key) or {}
        hints = {k: v for k, v in raw.items() if k not in ("visibleWhen", "x-enumNames", "x-enumNames-en")}
        if raw.get("visibleWhen"):
            hints["visible_when"] = {
                resolve_path(condition, name): expected
                for condition, expected in raw["visibleWhen"].items()
            }
        return hints

    def _children(self, schema: dict, name: str, key: str, value) -> list[Field]:
        required = set(schema.get("required") or [])
        value = value if isinstance(value, dict) else {}
        return [
            self.field(sub, join(name, prop), join(key, prop), value.get(prop), prop in required)
            for prop, sub in (schema.get("properties") or {}).items()
        ]

    def _rows(self, built: Field, items: dict, value) -> None:
        rows = value if isinstance(value, list) else []
        built.kind = "array"
        built.rows = [self.field(items, join(built.name, i), built.key, row, True)
                      for i, row in enumerate(rows)]
        built.template = self.field(items, join(built.name, INDEX_PLACEHOLDER), built.key, None, True)
        built.template.title = self.title(items) or built.title

    def _scalar(self, built: Field, schema: dict) -> None:
        options = self._options(schema, built.key) or self._organization_options(built)
        if built.kind == "boolean":
            yes, no = self._boolean_labels(built.key)
            built.options = [("true", yes), ("false", no)]
            built.kind = "choice"
            built.widget = "radio"
        elif options:
            built.options = options
            built.kind = "choice"
            built.widget = "radio" if built.widget == "radio" else "select"
        elif schema.get("format") == "date" or built.widget == "date":
            built.kind = "date"
        elif built.widget == "textarea":
            built.kind = "textarea"
        elif is_file_field(schema, built.hints):
            built.kind = "file"
            built.attachment = self.attachments.get(attachment_id(built.value))

    def _enum_names(self, key: str) -> dict | list:
        hints = self.hints_by_key.get(key) or {}
        return (self.english and hints.get("x-enumNames-en")) or hints.get("x-enumNames") or {}

    def _options(self, schema: dict, key: str) -> list[tuple[str, str]]:
        names = self._enum_names(key)
        if "oneOf" in schema and all("const" in o for o in schema["oneOf"]):
            return [(input_text(o["const"]), self.title(o) or input_text(o["const"]))
                    for o in schema["oneOf"] if o["const"] is not None]
        enum = schema.get("enum") or []
        if isinstance(names, list):
            names = dict(zip((input_text(v) for v in enum), names))
        return [(input_text(v), names.get(input_text(v), input_text(v))) for v in enum if v is not None]

    def _organization_options(self, built: Field) -> list[tuple[str, str]]:
        if built.widget != "organization" or self.organizations is None:
            return []
        return self.organizations(built.hints.get("organizationKinds") or [])

    def _boolean_labels(self, key: str) -> tuple[str, str]:
        names = self._enum_names(key)
        return names.get("true", self.boolean_labels[0]), names.get("false", self.boolean_labels[1])


def resolve_path(condition: str, name: str) -> str:
    """A visibleWhen path (`coBuilders.core`) as the name of the field in this field's row
    (`coBuilders.2.core`): row indices of `name` are carried over to the shared prefix."""
    mapping, key_parts, name_parts = {}, [], name.split(".")
    for position, part in enumerate(name_parts):
        if part.isdigit() or part == INDEX_PLACEHOLDER:
            continue
        key_parts.append(part)
        upto = position + 1
        while upto < len(name_parts) and (name_parts[upto].isdigit()
                                           or name_parts[upto] == INDEX_PLACEHOLDER):
            upto += 1
        mapping[".".join(key_parts)] = ".".join(name_parts[:upto])
    parts = condition.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in mapping:
            return ".".join([mapping[prefix], *parts[cut:]])
    return condition


def all_names(fields: list[Field]) -> set[str]:
    names = set()
    for f in fields:
        names.add(f.name)
        names |= all_names(f.children) | all_names(f.rows)
    return names
