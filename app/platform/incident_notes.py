"""An operator's annotation on an open incident (Camunda's incident annotation): what was
found, who was asked. Kept with the incident, shown by its runtime and history shapes, and
audited; only those who repair cases (the instance operations' rule) write it."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.platform import instance_operations, queries

ANNOTATION_MAX = 4000


def annotate(ctx: AppContext, session: Session, actor: Actor, incident_id: str, annotation) -> None:
    """Set the annotation, or clear it with None."""
    action = "incident.annotate" if annotation is not None else "incident.clear_annotation"
    instance_operations.require_operator(ctx, session, actor, action, incident_id,
                                         {"annotation": annotation if isinstance(annotation, str) else None})
    text = _checked(annotation)
    incident = queries.open_incident(session, actor, incident_id)
    incident.annotation = text
    audit.record(ctx, session, action, user_id=actor.id, target=incident.id, source=actor.source,
                 details={"annotation": text, "processInstanceId": incident.instance_id})


def _checked(annotation) -> str | None:
    if annotation is None:
        return None
    if not isinstance(annotation, str) or not annotation.strip():
        raise BadRequest("annotation 应为非空文本 / annotation must be a non-empty text",
                         [{"field": "annotation", "message": "应为非空文本"}])
    if len(annotation) > ANNOTATION_MAX:
        raise BadRequest(f"annotation 不能超过 {ANNOTATION_MAX} 个字符 / annotation is too long",
                         [{"field": "annotation", "message": f"不能超过 {ANNOTATION_MAX} 个字符"}])
    return annotation.strip()
