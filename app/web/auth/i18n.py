"""The pages' message catalogue: every label in Chinese (default) and English.

Each web package registers its own `MESSAGES = {key: (zh, en)}`; both languages of a
label sit side by side, so one cannot be forgotten. The language is kept in the session.
"""
from __future__ import annotations

from flask import session

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

_CATALOGUE: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    clash = _CATALOGUE.keys() & messages.keys()
    if clash:
        raise ValueError(f"message keys registered twice: {sorted(clash)}")
    _CATALOGUE.update(messages)


def language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params) -> str:
    """The label `key` in the session's language, with `{name}` parameters filled in."""
    zh, en = _CATALOGUE[key]
    text = en if language() == "en" else zh
    return text.format(**params) if params else text


def bilingual(text: str) -> str:
    """A service message written "中文 / English": the side of the session's language."""
    zh, separator, en = text.partition(" / ")
    if separator and language() == "en":
        return en
    return zh
