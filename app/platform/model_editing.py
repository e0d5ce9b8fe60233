"""The analysts' diagram work: check a diagram as deploying it would, keep it as a draft
(errors and all), and deploy it as a new version through the one deployment service.

Analysts and admins (DEPLOY_GROUPS) edit; a refusal is audited like a refused deployment.
Every draft saved is in the audit log; a deployment records itself (`deployment.create`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.errors import DefinitionProblem, InvalidDefinition
from app.engine.model_summary import executable_processes
from app.models import ModelDraft

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden
from app.core.identity import DEPLOY_GROUPS, Actor
from app.platform import deployment

SOURCE = "modeler"
NO_PROCESS = ("图中没有可执行的流程（请在流程属性中填写流程标识并勾选“可执行”） / "
              "the diagram has no executable process")


def may_edit(actor: Actor | None) -> bool:
    return actor is not None and actor.in_any(DEPLOY_GROUPS)


def require_editor(ctx: AppContext, session: Session, actor: Actor, action: str, target: str) -> None:
    if may_edit(actor):
        return
    audit.record_refusal(ctx, session, action, user_id=actor.id, target=target, source=actor.source)
    raise Forbidden("只有业务分析员或管理员可以编辑模型 / only analysts and admins edit models")


@dataclass(frozen=True)
class Draft:
    key: str
    saved_at: datetime
    xml: bytes


@dataclass
class Checked:
    """A diagram as the deployment would see it: its process key and located problems."""

    key: str | None
    errors: list[DefinitionProblem] = field(default_factory=list)
    warnings: list[DefinitionProblem] = field(default_factory=list)


def process_key(xml: bytes) -> str | None:
    """The (first) executable process id: the key the diagram deploys and drafts under."""
    try:
        found = executable_processes(xml, "diagram.bpmn")
    except InvalidDefinition:
        return None
    return found[0].id if found and found[0].id else None


def check(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> Checked:
    require_editor(ctx, session, actor, "model.check", process_key(xml) or "diagram")
    return _checked(ctx, session, xml)


def _checked(ctx: AppContext, session: Session, xml: bytes) -> Checked:
    key = process_key(xml)
    errors, warnings = deployment.check(ctx, session, {file_name(key): xml})
    return Checked(key, errors, warnings)


def file_name(key: str | None) -> str:
    """The name a diagram deploys under: the project's own (bpmn/<key>.bpmn) convention."""
    return f"{key or 'diagram'}.bpmn"


def save_draft(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> tuple[Checked, datetime]:
    """Keep the diagram as the actor's draft of its process, even with errors."""
    require_editor(ctx, session, actor, "model.draft", process_key(xml) or "diagram")
    checked = _checked(ctx, session, xml)
    if checked.key is None:
        raise BadRequest(NO_PROCESS, [{"field": "xml", "message": NO_PROCESS.split(" / ")[0]}])
    now = ctx.now()
    draft = session.get(ModelDraft, (actor.id, checked.key))
    if draft is None:
        session.add(ModelDraft(user_id=actor.id, process_key=checked.key, xml=xml, saved_at=now))
    else:
        draft.xml, draft.saved_at = xml, now
    audit.record(ctx, session, "model.draft", user_id=actor.id, target=checked.key, source=actor.source,
                 details={"errors": len(checked.errors), "warnings": len(checked.warnings)})
    return checked, now


def draft_of(session: Session, actor: Actor, key: str) -> Draft | None:
    draft = session.get(ModelDraft, (actor.id, key)) if may_edit(actor) else None
    return Draft(draft.process_key, draft.saved_at, draft.xml) if draft is not None else None


def drafts_of(session: Session, actor: Actor) -> list[Draft]:
    """The actor's drafts, latest first."""
    rows = session.scalars(select(ModelDraft).where(ModelDraft.user_id == actor.id)
                           .order_by(ModelDraft.saved_at.desc()))
    return [Draft(row.process_key, row.saved_at, row.xml) for row in rows]


@dataclass
class Deployed:
    key: str
    version: int | None
    warnings: list[DefinitionProblem]


def deploy(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> Deployed:
    """Deploy the diagram as a new version of its process (none if it equals the latest);
    running instances stay on theirs (R28). Errors refuse it (DeploymentRefused)."""
    require_editor(ctx, session, actor, "deployment.create", process_key(xml) or "diagram")
    key = process_key(xml)
    if key is None:
        raise BadRequest(NO_PROCESS, [{"field": "xml", "message": NO_PROCESS.split(" / ")[0]}])
    result = deployment.deploy(ctx, session, actor, f"{SOURCE}:{key}", {file_name(key): xml}, source=SOURCE)
    versions = [d.version for d in result.new_definitions if d.key == key]
    return Deployed(key, versions[0] if versions else None, result.warnings)
