"""/modeler/bpmn/<processKey>/versions: a process's versions (who deployed each, when, the
instances running on it) and the semantic diff of two of them (?from=&to=, by default the
previous and the latest), listed and drawn on the diagrams by static/js/versions.js.
Read-only, for whoever may see the process."""
from __future__ import annotations

from flask import render_template, request

from app.core.errors import NotFound
from app.platform import model_diff
from app.platform.migration_access import plan_refusal

from . import blueprint, context
from .. import auth
from ..auth import i18n
from .version_messages import TYPES, all_messages, property_label

i18n.register(all_messages())


@blueprint.get("/bpmn/<key>/versions")
def versions(key):
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        model = model_diff.version_history(session, actor, key)
        numbers = [v.version for v in model.versions]
        older = chosen_version("from", numbers, numbers[1:2])
        newer = chosen_version("to", numbers, numbers[:1])
        diff = model_diff.diff_versions(session, actor, key, older, newer) if len(numbers) > 1 else None
    return render_template("modeler/versions.html", key=key, model=model, diff=diff,
                           older=older, newer=newer, may_plan=plan_refusal(actor) is None,
                           markers=_markers(diff), label=_property_label,
                           type_label=_type_label)


def chosen_version(name: str, numbers: list[int], default: list[int]) -> int | None:
    """The version of `numbers` asked for in `name`, else the default (None when there is none)."""
    value = request.args.get(name, "")
    if not value:
        return default[0] if default else None
    if not value.isdigit() or int(value) not in numbers:
        raise NotFound(f"没有第 {value[:20]} 版 / no version {value[:20]}")
    return int(value)


def _markers(diff: dict | None) -> dict:
    """What the script marks on the diagrams: the ids added, changed and removed."""
    if diff is None:
        return {}
    return {kind: [e["id"] for e in diff[kind]] for kind in ("added", "changed", "removed")}


def _property_label(path: str) -> tuple[str, str]:
    """A changed property's label in the page's language and the path shown beside it."""
    key, detail = property_label(path)
    return (i18n.t(key) if key else path), (detail if key else "")


def _type_label(element_type: str) -> str:
    return i18n.t(f"diff.type.{element_type}") if element_type in TYPES else element_type
