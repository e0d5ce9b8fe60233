"""Camunda typed variables (`{"name": {"value": …, "type": …}}`) to and from plain values."""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime

from app.clock import format_camunda, parse_client_datetime

from app.core.errors import BadRequest

TYPES = {"String", "Integer", "Long", "Short", "Double", "Boolean", "Json", "Date", "Null", "Object"}
BINARY_TYPES = {"File", "Bytes"}
# Types a value alone does not tell: kept beside the value so that a client reads back what
# it wrote (a Short stays Short, an Object keeps its Java type name).
DECLARED = {"Date", "Short", "Long", "Object"}
JSON_FORMAT = "application/json"
_RANGES = {"Short": (-(2**15), 2**15), "Integer": (-(2**31), 2**31), "Long": (-(2**63), 2**63)}


@dataclass(frozen=True)
class BinaryValue:
    """A File or Bytes value as a client sent it: its bytes go to their own table
    (`variable_files`), the engine sees only `description`."""

    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    encoding: str | None = None

    @property
    def value_info(self) -> dict:
        if self.kind == "Bytes":
            return {}
        return {"filename": self.file_name, "mimeType": self.mime_type, "encoding": self.encoding}

    @property
    def description(self) -> dict:
        return {**self.value_info, "size": len(self.data)}


def from_camunda(payload: dict | None, binaries: bool = False) -> tuple[dict, dict]:
    """Plain values and the declared types a client sent; 400 with field errors when wrong.

    With `binaries`, File and Bytes values come as `BinaryValue`s, which the caller stores
    (`take_binaries`); elsewhere they are refused, as nothing would keep them."""
    if payload is None:
        return {}, {}
    if not isinstance(payload, dict):
        raise BadRequest("variables 必须是对象 / variables must be an object")
    values, types, errors = {}, {}, []
    for name, typed in payload.items():
        try:
            values[name], declared = _convert(name, typed, binaries)
        except ValueError as error:
            errors.append({"field": name, "message": str(error)})
            continue
        # A type set again replaces the one it had, or a new Integer would read as Short.
        types[name] = _declaration(declared, typed) if declared in DECLARED | BINARY_TYPES else None
    if errors:
        first = errors[0]
        raise BadRequest(f"变量格式不正确：{first['field']} {first['message']} / invalid variable "
                         f"{first['field']}", errors)
    return values, types


def take_binaries(values: dict, types: dict) -> dict[str, BinaryValue]:
    """Take the File and Bytes values out of `values`, leaving their descriptions (name,
    type, size) for the engine; returns them to be stored."""
    taken = {name: value for name, value in values.items() if isinstance(value, BinaryValue)}
    for name, value in taken.items():
        values[name] = value.description
        types[name] = {"type": value.kind, "valueInfo": value.value_info}
    return taken


def _convert(name: str, typed, binaries: bool = False) -> tuple[object, str | None]:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"变量名 {name!r} 不合法 / invalid variable name")
    if not isinstance(typed, dict) or "value" not in typed and typed.get("type") != "Null":
        raise ValueError("应为 {\"value\": …, \"type\": …} / expected {value, type}")
    value, kind = typed.get("value"), typed.get("type")
    if kind is None:
        return _checked_plain(value), None
    if kind in BINARY_TYPES:
        if not binaries:
            raise ValueError(f"此处不接受 {kind} 类型的变量 / {kind} variables are not accepted here")
        return _binary(kind, value, typed.get("valueInfo")), kind
    if kind not in TYPES:
        raise ValueError(f"不支持的变量类型 {kind} / unsupported type")
    if value is None or kind == "Null":
        return None, None
    if kind == "Object":
        _check_object_format(typed.get("valueInfo"))
    converted = _CONVERTERS[kind](value)
    if kind in _RANGES and not _RANGES[kind][0] <= converted < _RANGES[kind][1]:
        raise ValueError(f"超出 {kind} 的取值范围 / out of the {kind} range")
    return converted, kind


def _check_object_format(info) -> None:
    """Objects travel as JSON: a Java-serialized object could only be read by Java."""
    if info is not None and not isinstance(info, dict):
        raise ValueError("valueInfo 应为对象 / valueInfo must be an object")
    data_format = (info or {}).get("serializationDataFormat", JSON_FORMAT)
    if data_format != JSON_FORMAT:
        raise ValueError(f"对象只支持 {JSON_FORMAT} 格式 / objects are supported as {JSON_FORMAT} only")


def _binary(kind: str, value, info) -> BinaryValue:
    if not isinstance(value, str):
        raise ValueError("应为 Base64 编码的内容 / expected Base64 content")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("不是合法的 Base64 内容 / not valid Base64") from None
    if kind == "Bytes":
        return BinaryValue(kind, data)
    info = info if isinstance(info, dict) else {}
    file_name = info.get("filename")
    if not isinstance(file_name, str) or not file_name.strip():
        raise ValueError("文件变量须在 valueInfo.filename 中给出文件名 / a File needs valueInfo.filename")
    return BinaryValue(kind, data, file_name.strip()[:200], _text(info.get("mimeType"), 100),
                       _text(info.get("encoding"), 40))


def _text(value, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _declaration(kind: str, typed: dict) -> str | dict | None:
    if kind in BINARY_TYPES:
        return None  # `take_binaries` declares it, once the bytes are set aside
    if kind != "Object":
        return kind
    type_name = (typed.get("valueInfo") or {}).get("objectTypeName")
    return {"type": "Object", "valueInfo": {"objectTypeName": type_name if isinstance(type_name, str) else None,
                                             "serializationDataFormat": JSON_FORMAT}}


def _checked_plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("数值无效 / not a finite number")
    return value


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise ValueError("应为整数 / expected an integer")
    return value


def _double(value):
    if isinstance(value, bool):
        raise ValueError("应为数字 / expected a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("应为数字 / expected a number") from None
    if not math.isfinite(number):
        raise ValueError("数值无效 / not a finite number")
    return number


def _boolean(value):
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("应为 true 或 false / expected a boolean")


def _string(value):
    if not isinstance(value, str):
        raise ValueError("应为字符串 / expected a string")
    return value


def _json(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("不是合法的 JSON / not valid JSON") from None
    if isinstance(value, (dict, list)):
        return value
    raise ValueError("应为 JSON 文本 / expected JSON text")


def _date(value):
    if not isinstance(value, str):
        raise ValueError("应为日期 / expected a date")
    try:
        return format_camunda(parse_client_datetime(_normalise_offset(value)))
    except ValueError:
        raise ValueError("日期格式应为 yyyy-MM-dd'T'HH:mm:ss.SSSZ / invalid date") from None


def _normalise_offset(text: str) -> str:
    """Camunda writes +0800; Python before 3.11 wanted +08:00."""
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        return text[:-2] + ":" + text[-2:]
    return text


_CONVERTERS = {
    "String": _string, "Integer": _integer, "Long": _integer, "Short": _integer,
    "Double": _double, "Boolean": _boolean, "Json": _json, "Object": _json, "Date": _date,
}


def to_camunda(values: dict, types: dict | None = None, deserialize: bool = True) -> dict:
    return {name: typed(value, (types or {}).get(name), deserialize) for name, value in values.items()}


def typed(value, declared: str | dict | None = None, deserialize: bool = True) -> dict:
    """A value in Camunda's shape; a File's bytes are read at its `/data`, a Bytes value's
    are given as `value` (Base64) by whoever read them."""
    if isinstance(declared, dict) and declared["type"] in BINARY_TYPES and isinstance(value, dict):
        return {"value": None, "type": declared["type"], "valueInfo": dict(declared["valueInfo"])}
    if isinstance(declared, dict) and isinstance(value, (dict, list)):
        shown = value if deserialize else json.dumps(value, ensure_ascii=False)
        return {"value": shown, "type": "Object", "valueInfo": dict(declared["valueInfo"])}
    if declared == "Date":
        return {"value": value, "type": "Date", "valueInfo": {}}
    if declared in ("Short", "Long") and isinstance(value, int) and not isinstance(value, bool):
        return {"value": value, "type": declared, "valueInfo": {}}
    if value is None:
        return {"value": None, "type": "Null", "valueInfo": {}}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean", "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if -(2**31) <= value < 2**31 else "Long"
        return {"value": value, "type": kind, "valueInfo": {}}
    if isinstance(value, float):
        return {"value": value, "type": "Double", "valueInfo": {}}
    if isinstance(value, datetime):
        return {"value": format_camunda(value), "type": "Date", "valueInfo": {}}
    if isinstance(value, (dict, list, tuple)):
        return {"value": json.dumps(value, ensure_ascii=False, default=str), "type": "Json", "valueInfo": {}}
    return {"value": str(value), "type": "String", "valueInfo": {}}
