"""Where things are in a JSON text an analyst typed: the line and column of a syntax error,
and of each value by its path (keys and indexes), so that a problem found in the parsed
value (a schema keyword, a UI hint) can be shown at its place in the editor."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

_BLANK = re.compile(r"[ \t\n\r]*")
_SCAN = json.JSONDecoder().scan_once

# The json module's syntax errors, as the analysts read them.
_SYNTAX = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少值（或多了逗号）",
    "Expecting property name enclosed in double quotes": "属性名应写在英文双引号中（或多了逗号）",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string starting at": "字符串缺少结束的引号",
    "Invalid control character at": "字符串中有换行等控制字符",
    "Invalid \\escape": "无效的转义字符",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
}


@dataclass(frozen=True)
class Place:
    line: int
    column: int


def place(text: str, offset: int) -> Place:
    """1-based line and column of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Place(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def syntax_message(error: json.JSONDecodeError) -> str:
    return _SYNTAX.get(error.msg, "JSON 语法错误")


def value_places(text: str) -> dict[tuple, Place]:
    """The place of every value of a JSON text that parses, by its path."""
    offsets: dict[tuple, int] = {}
    _walk(text, _skip(text, 0), (), offsets)
    return {path: place(text, offset) for path, offset in offsets.items()}


def _skip(text: str, index: int) -> int:
    return _BLANK.match(text, index).end()


def _walk(text: str, index: int, path: tuple, offsets: dict) -> int:
    """Record the value at `index` and everything in it; return the offset after it."""
    offsets[path] = index
    opening = text[index]
    if opening not in "{[":
        return _SCAN(text, index)[1]
    closing = "}" if opening == "{" else "]"
    index = _skip(text, index + 1)
    position = 0
    while text[index] != closing:
        if opening == "{":
            key, index = _SCAN(text, index)
            index = _skip(text, _skip(text, index) + 1)  # past the colon
        else:
            key, position = position, position + 1
        index = _skip(text, _walk(text, index, path + (key,), offsets))
        if text[index] == ",":
            index = _skip(text, index + 1)
    return index + 1
