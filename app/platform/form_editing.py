"""The analysts' form editor: a form's JSON Schema and UI hints checked as a pair while they
are typed, a sample submitted through the very validation officers' submits go through, and
the pair deployed as a new form version through the one deployment service.

Analysts and admins edit (model_editing.require_editor, refusals audited); everyone signed
in may read a deployed form. Problems are located: the editor (`_schema` or `_ui`, the
names the page posts them under), line and column, and a Chinese message saying where.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.platform import deployment, forms, model_catalog, model_editing, user_tasks
from app.platform.json_text import Place, place, syntax_message, value_places

SCHEMA_FIELD, UI_FIELD = "_schema", "_ui"
EDITORS = {SCHEMA_FIELD: ("表单结构（JSON Schema）", "the schema"), UI_FIELD: ("界面提示", "the UI hints")}
SOURCE = "modeler"
REFUSED = "表单有错误，请按提示修改 / the form has errors"
SCHEMA_WORDS = {
    "type": "类型不对", "enum": "不是允许的取值", "anyOf": "不是允许的取值", "oneOf": "不是允许的取值",
    "minimum": "不能小于 {expected}", "minItems": "至少需要 {expected} 项",
    "uniqueItems": "列表中有重复项", "pattern": "格式不正确", "format": "格式不正确",
}


class FormRefused(BadRequest):
    """The schema or its UI hints have problems; `errors` lists each, located."""

    error_type = "FormDefinitionException"


@dataclass(frozen=True)
class Pair:
    """A form's schema and UI hints as typed, and parsed (no problems found)."""

    key: str
    schema_text: str
    ui_text: str
    schema: dict
    ui: dict | None


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int | None


def source(session: Session, key: str, version: int | None = None) -> tuple[str, str, int]:
    """(schema text, UI hints text, version) of a deployed form, laid out for editing."""
    found = model_catalog.form_source(session, key, version)
    ui = json.loads(found.ui_json) if found.ui_json else None
    return _layout(json.loads(found.schema_json)), _layout(ui) if ui is not None else "", found.version


def _layout(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def checked(ctx: AppContext, session: Session, actor: Actor, key: str, schema_text: str,
            ui_text: str, action: str = "form.preview") -> Pair:
    """The pair parsed, for an editor; FormRefused with every problem found."""
    model_editing.require_editor(ctx, session, actor, action, key)
    return pair(key, schema_text, ui_text)


def pair(key: str, schema_text: str, ui_text: str) -> Pair:
    schema, problems = _schema(schema_text)
    ui, ui_problems = _ui(ui_text, schema)
    problems += ui_problems
    if problems:
        raise FormRefused(REFUSED, problems)
    return Pair(key, schema_text, ui_text, schema, ui)


def problem(editor: str, where: Place | None, zh: str, en: str) -> dict:
    label_zh, label_en = EDITORS[editor]
    at_zh = f"第 {where.line} 行第 {where.column} 列" if where else ""
    at_en = f" line {where.line} column {where.column}" if where else ""
    return {"field": editor, "line": where.line if where else None,
            "column": where.column if where else None,
            "message": f"{label_zh}{at_zh}：{zh}", "message_en": f"{label_en}{at_en}: {en}"}


def _parsed(editor: str, text: str):
    """(value, problems) of one editor's JSON text."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        where = place(text, error.pos)
        return None, [problem(editor, where, f"JSON 语法错误：{syntax_message(error)}", error.msg)]


def _schema(text: str) -> tuple[dict | None, list[dict]]:
    """The schema, unless it is no JSON object; and its problems."""
    schema, problems = _parsed(SCHEMA_FIELD, text)
    if problems:
        return None, problems
    if not isinstance(schema, dict):
        return None, [problem(SCHEMA_FIELD, place(text, 0), "应为 JSON 对象 { … }", "must be an object")]
    try:
        Draft202012Validator.check_schema(schema)  # as the deployment checks it
    except SchemaError as error:
        return schema, [_schema_problem(text, error)]
    return schema, []


def _schema_problem(text: str, error: SchemaError) -> dict:
    path = tuple(error.absolute_path)
    words = SCHEMA_WORDS.get(error.validator, "取值不符合规范").format(expected=error.validator_value)
    pointer = ".".join(str(p) for p in path) or "（根）"
    return problem(SCHEMA_FIELD, value_places(text).get(path),
                   f"{pointer} 不符合 JSON Schema 2020-12 规范：{words}",
                   f"not a valid JSON Schema 2020-12 at {pointer}: {error.message}")


def _ui(text: str, schema: dict | None) -> tuple[dict | None, list[dict]]:
    """The UI hints (none if left empty) and every name in them no field of the schema has
    (looked for once the schema is a JSON object: else every name would be reported)."""
    if not text.strip():
        return None, []
    ui, problems = _parsed(UI_FIELD, text)
    if problems:
        return None, problems
    if not isinstance(ui, dict):
        return None, [problem(UI_FIELD, place(text, 0), "应为 JSON 对象 { … }", "must be an object")]
    if schema is None:
        return ui, []
    places = value_places(text)
    return ui, [problem(UI_FIELD, places.get(path), f"表单中没有字段 {name}", f"the form has no field {name}")
                for path, name in _named_fields(ui) if not _has_field(schema, name)]


def _named_fields(ui: dict) -> list[tuple[tuple, str]]:
    """(path in the hints, field name) of every field the hints name: the order, each field's
    hints and the fields its visibleWhen reads, and where the `reasons` point."""
    named = [(("order", i), name) for i, name in enumerate(_list(ui.get("order")))]
    hints = _dict(ui.get("fields"))
    for name, hint in hints.items():
        named.append((("fields", name), name))
        named += [(("fields", name, "visibleWhen", other), other)
                  for other in _dict(_dict(hint).get("visibleWhen"))]
    reasons = _dict(_dict(ui.get("reasons")).get("fields"))
    named += [(("reasons", "fields", code), name) for code, name in reasons.items()]
    return [(path, name) for path, name in named if isinstance(name, str)]


def _has_field(schema: dict, name: str) -> bool:
    """Whether a hint key (`coBuilders.signature.opinion`: no row indices) names a field."""
    node = schema
    for part in name.split("."):
        while isinstance(node, dict) and isinstance(node.get("items"), dict):
            node = node["items"]
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict) or part not in properties:
            return False
        node = properties[part]
    return True


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def try_sample(form: Pair, values: dict) -> dict:
    """The sample's values, when they pass what an officer's submit of this form must pass
    (ValidationFailed with each field's message otherwise); nothing is stored."""
    user_tasks.check_submission(forms.validator_of(form.schema), values)
    return values


def deploy(ctx: AppContext, session: Session, actor: Actor, key: str, schema_text: str,
           ui_text: str) -> Deployed:
    """Deploy the pair as a new version of a deployed form; none when it equals the latest
    version. Processes bind the latest form version when they are deployed (R28)."""
    form = checked(ctx, session, actor, key, schema_text, ui_text, "deployment.create")
    if _is_latest(form, model_catalog.form_source(session, key)):
        return Deployed(key, None)
    files = {key + deployment.SCHEMA_SUFFIX: schema_text.encode("utf-8")}
    if form.ui is not None:
        files[key + deployment.UI_SUFFIX] = ui_text.encode("utf-8")
    deployment.deploy(ctx, session, actor, f"{SOURCE}:{key}", files, source=SOURCE)
    return Deployed(key, model_catalog.form_source(session, key).version)


def _is_latest(form: Pair, latest: model_catalog.FormSource) -> bool:
    """Whether the pair is the latest version, compared as stored (deployment._form_version
    dumps both): the editor lays the JSON out anew, so the typed text is no measure."""
    ui = json.dumps(form.ui, ensure_ascii=False) if form.ui is not None else None
    return json.dumps(form.schema, ensure_ascii=False) == latest.schema_json and ui == latest.ui_json
