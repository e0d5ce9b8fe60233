"""Form schemas (JSON Schema 2020-12 + UI hints) and server-side validation in Chinese."""
from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from sqlalchemy.orm import Session

from app.models import FormVersion

from app.core.context import AppContext
from app.core.errors import BadRequest, ValidationFailed

_TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否",
    "object": "对象", "array": "列表", "null": "空值",
}


def check_schema(name: str, text: bytes) -> dict:
    """Parse a deployed form schema; refuse anything that is not a valid JSON Schema."""
    try:
        schema = json.loads(text)
        _check_against_metaschema(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest(f"表单 {name} 不是合法的 JSON：{error} / form is not valid JSON") from error
    except SchemaError as error:
        raise BadRequest(f"表单 {name} 不是合法的 JSON Schema：{error.message}") from error
    if not isinstance(schema, dict):
        raise BadRequest(f"表单 {name} 应为 JSON 对象 / form schema must be an object")
    return schema


@lru_cache(maxsize=256)
def _check_against_metaschema(text: bytes | str) -> None:
    """The metaschema check costs ~20 ms a form, and a deployment carries every form of the
    project again: a text found valid once is valid for good (a refusal is not kept)."""
    Draft202012Validator.check_schema(json.loads(text))


def form_version(ctx: AppContext, session: Session, form_version_id: str) -> FormVersion:
    cache = ctx.caches.setdefault("forms", {})
    form = cache.get(form_version_id)
    if form is None:
        form = session.get(FormVersion, form_version_id)
        session.expunge(form)
        cache[form_version_id] = form
    return form


def validator_for(ctx: AppContext, session: Session, form_version_id: str) -> Draft202012Validator:
    cache = ctx.caches.setdefault("validators", {})
    validator = cache.get(form_version_id)
    if validator is None:
        schema = json.loads(form_version(ctx, session, form_version_id).schema_json)
        validator = validator_of(schema)
        cache[form_version_id] = validator
    return validator


def validator_of(schema: dict) -> Draft202012Validator:
    """The validator a submitted form goes through (formats checked, e.g. dates)."""
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate(validator: Draft202012Validator, values: dict) -> None:
    errors = [field_error(e) for e in validator.iter_errors(values)]
    if errors:
        errors.sort(key=lambda e: e["field"])
        raise ValidationFailed("表单填写有误，请按提示修改 / the form has errors", errors)


def validate_fields(schema: dict, values: dict) -> None:
    """Some fields of a form sent on their own (not the whole form): each must be a field of
    the form and pass the form's own check of it; none is required."""
    properties = schema.get("properties") or {}
    unknown = [{"field": name, "message": f"{name}：不是本表单的字段", "message_en": f"{name} is not a field of the form"}
               for name in sorted(values) if name not in properties]
    if unknown:
        raise ValidationFailed("表单填写有误，请按提示修改 / the form has errors", unknown)
    alone = {"type": "object", "properties": {name: properties[name] for name in values}}
    if "$defs" in schema:
        alone["$defs"] = schema["$defs"]
    validate(validator_of(alone), values)


def field_error(error) -> dict:
    path = [str(p) for p in error.absolute_path]
    title = error.schema.get("title") if isinstance(error.schema, dict) else None
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
        title = _property_title(error.schema, missing)
        return {"field": ".".join(path), "message": f"{title or missing}：此项为必填项",
                "message_en": error.message}
    label = title or (path[-1] if path else "表单")
    return {"field": ".".join(path), "message": f"{label}：{_message(error)}",
            "message_en": error.message}


def _property_title(schema: dict, name: str) -> str | None:
    prop = (schema.get("properties") or {}).get(name)
    return prop.get("title") if isinstance(prop, dict) else None


def _message(error) -> str:
    v, expected = error.validator, error.validator_value
    messages = {
        "type": lambda: f"应填写{_type_name(expected)}",
        "minimum": lambda: f"不能小于 {expected}",
        "maximum": lambda: f"不能大于 {expected}",
        "exclusiveMinimum": lambda: f"必须大于 {expected}",
        "exclusiveMaximum": lambda: f"必须小于 {expected}",
        "minLength": lambda: "不能为空" if expected == 1 else f"至少填写 {expected} 个字符",
        "maxLength": lambda: f"不能超过 {expected} 个字符",
        "minItems": lambda: f"至少需要 {expected} 项",
        "maxItems": lambda: f"最多 {expected} 项",
        "enum": lambda: "请从给定选项中选择",
        "const": lambda: f"必须为 {expected}",
        "pattern": lambda: "格式不正确",
        "format": lambda: f"格式不正确（应为 {expected}）",
        "additionalProperties": lambda: "包含表单中没有的字段",
        "uniqueItems": lambda: "列表中有重复项",
    }
    return messages.get(v, lambda: "填写不符合要求")()


def _type_name(expected) -> str:
    if isinstance(expected, list):
        return "或".join(_TYPE_NAMES.get(t, t) for t in expected)
    return _TYPE_NAMES.get(expected, str(expected))
