"""Process and step names as the page's language reads them: in English, the name the model
gives beside the Chinese one (`name_en`); otherwise, and in Chinese, the stored name.

Every page that shows a process or a step name goes through `step_label` /
`process_label` (also Jinja globals, registered by the Tasklist)."""
from __future__ import annotations

from collections.abc import Callable

from flask import g

from app.platform import model_names

from .auth.i18n import language, t
from .current import context

# (definition id, element id, stored name) -> the name to show.
StepLabel = Callable[[str | None, str | None, str | None], str]


def step_label(definition_id: str | None, element_id: str | None, name: str | None) -> str:
    """A step's (or an end event's) name in the page's language."""
    stored = name or element_id or ""
    if language() != "en" or not definition_id or not element_id:
        return stored
    return _english_names(definition_id).get(element_id) or stored


def process_label(definition_id: str | None, process_key: str | None, name: str | None) -> str:
    """A process's name in the page's language (the model keeps it under the process id)."""
    return step_label(definition_id, process_key, name)


def english_name(definition_id: str, element_id: str | None) -> str | None:
    """The English name the model gives an element, whatever the page's language."""
    return _english_names(definition_id).get(element_id) if element_id else None


def step_labels(definition_id: str | None, steps: list[tuple[str, str | None]]) -> str:
    """Several open steps, (id, stored name) each, in one line of the page's language."""
    return t("list.separator").join(step_label(definition_id, key, name) for key, name in steps)


def _english_names(definition_id: str) -> dict[str, str]:
    """Read once per request: the names of a called process's latest version may change."""
    found = g.setdefault("english_names", {})
    if definition_id not in found:
        ctx = context()
        with ctx.db.read() as session:
            found[definition_id] = model_names.english_names(ctx, session, definition_id)
    return found[definition_id]
