"""The cockpit (流程监控) for managers, department staff and administrators: every process
version's counts, each process's diagram with a badge per activity, the instances and each
instance's path. Server-rendered; the diagram and its badges are drawn by bpmn-js."""
from __future__ import annotations

from .. import tasklist
from ..auth import i18n
from .messages import MESSAGES

blueprint = tasklist.framed_blueprint("cockpit", __name__, url_prefix="/cockpit")
i18n.register(MESSAGES)


@blueprint.context_processor
def labels():
    return {"event_label": event_label}


def event_label(kind: str) -> str:
    """A history event's name in words; a kind with no label yet shows as it is stored."""
    try:
        return i18n.t(f"event.{kind}")
    except KeyError:
        return kind

from . import instance_pages, operations_page, process_pages  # noqa: E402,F401  (the routes)
