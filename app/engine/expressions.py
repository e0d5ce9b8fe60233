"""Translate the expressions Camunda Modeler writes into what the engine evaluates.

Analysts draw in Camunda Modeler, which writes JUEL (`${amount > 100}`, `${approved == true}`)
and ISO-8601 timer literals (`P30D`). SpiffWorkflow evaluates Python expressions, so the
adapter rewrites them once, at deploy, before the engine sees them.
"""
from __future__ import annotations

import re

_JUEL = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_ISO_DURATION = re.compile(r"^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_ISO_CYCLE = re.compile(r"^R\d*/")
# Five to seven fields of cron characters, the first (seconds, or minutes) numeric: what
# Camunda reads as a Quartz cron expression, and never a Python expression.
CRON = re.compile(r"^\s*[0-9*/,-]+(\s+[0-9*?/,LW#A-Za-z-]+){4,6}\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_JUEL_WORDS = [
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"!(?!=)"), " not "),
    (re.compile(r"\btrue\b"), "True"),
    (re.compile(r"\bfalse\b"), "False"),
    (re.compile(r"\bnull\b"), "None"),
    (re.compile(r"\beq\b"), "=="),
    (re.compile(r"\bne\b"), "!="),
    (re.compile(r"\bempty\s+(\w+)"), r"(not \1)"),
]

SHANGHAI_OFFSET = "+08:00"


def unwrap_juel(text: str) -> str | None:
    """Return the body of `${…}` / `#{…}`, or None when the text is not one."""
    match = _JUEL.match(text or "")
    return match.group("body") if match else None


def condition_to_python(text: str) -> str:
    """A gateway condition as a Python expression (JUEL bodies translated)."""
    body = unwrap_juel(text)
    if body is None:
        return text.strip()
    return juel_to_python(body)


def juel_to_python(body: str) -> str:
    result = body
    for pattern, replacement in _JUEL_WORDS:
        result = pattern.sub(replacement, result)
    return " ".join(result.split())


def timer_to_python(text: str) -> str:
    """A timer expression as a Python expression yielding an ISO-8601 string.

    ISO literals and cron expressions are quoted; a date without an offset is read in Asia/Shanghai, the
    official time of the offices using the system, not in the server's zone.
    """
    stripped = (text or "").strip()
    body = unwrap_juel(stripped)
    if body is not None:
        return juel_to_python(body)
    if _ISO_DURATION.match(stripped) or _ISO_CYCLE.match(stripped) or CRON.match(stripped):
        return repr(stripped)
    date = _ISO_DATE.match(stripped)
    if date:
        if "T" in stripped and not date.group("zone"):
            stripped += SHANGHAI_OFFSET
        elif "T" not in stripped:
            stripped += "T00:00:00" + SHANGHAI_OFFSET
        return repr(stripped)
    return stripped


def variable_reference(text: str | None) -> str | None:
    """`${experts}` or `experts` → `experts` (MI collections, element variables)."""
    if text is None:
        return None
    body = unwrap_juel(text)
    return (body if body is not None else text).strip()


_TEMPLATE_PART = re.compile(r"[$#]\{([^}]*)\}")


def has_template(text: str | None) -> bool:
    return bool(text) and bool(_TEMPLATE_PART.search(text))


def template_parts(text: str) -> list[str]:
    """The expressions inside `a-${x}-${y}` style templates."""
    return [juel_to_python(m) for m in _TEMPLATE_PART.findall(text)]


def render_template(text: str, evaluate) -> str:
    """Replace each `${expr}` in `text` by `evaluate(expr)`; a lone `${expr}` keeps its type."""
    whole = unwrap_juel(text)
    if whole is not None and "${" not in whole:
        return evaluate(juel_to_python(whole))
    return _TEMPLATE_PART.sub(lambda m: str(evaluate(juel_to_python(m.group(1)))), text)
