"""The analysts' model work: check a diagram or decision file as deploying it would, keep a
diagram as a draft (errors and all), try a decision table being edited (试算), and deploy
either as a new version through the one deployment service.

Analysts and admins (DEPLOY_GROUPS) edit; a refusal is audited like a refused deployment.
Every draft saved is in the audit log; a deployment records itself (`deployment.create`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.decisions import DecisionOutcome
from app.engine.errors import DefinitionProblem, InvalidDefinition
from app.engine.model_summary import decisions, executable_processes, kind_of
from app.models import ModelDraft

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden
from app.core.identity import DEPLOY_GROUPS, Actor
from app.platform import decision_tables, deployment, model_catalog

SOURCE = "modeler"
NO_PROCESS = ("图中没有可执行的流程（请在流程属性中填写流程标识并勾选“可执行”） / "
              "the diagram has no executable process")
NO_DECISION = "文件中没有决策 / the file holds no decision"
NO_DMN_DRAFTS = "决策表文件不保存草稿，请检查后直接部署 / decision files are not kept as drafts"


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
    """A model as the deployment would see it: its key and located problems."""

    key: str | None
    errors: list[DefinitionProblem] = field(default_factory=list)
    warnings: list[DefinitionProblem] = field(default_factory=list)


def identify(xml: bytes) -> tuple[str, str | None]:
    """(kind, key) of a posted model: a BPMN diagram's (first) executable process id, or a
    decision file's (first) decision id; the key it deploys and drafts under."""
    try:
        kind = kind_of(xml, "model")
        found = decisions(xml, "model.dmn") if kind == "dmn" else executable_processes(xml, "model.bpmn")
    except InvalidDefinition:
        return "bpmn", None
    return kind, (found[0].id or None) if found else None


def _refuse(message: str) -> None:
    raise BadRequest(message, [{"field": "xml", "message": message.split(" / ")[0]}])


def check(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> Checked:
    require_editor(ctx, session, actor, "model.check", identify(xml)[1] or "model")
    return _checked(ctx, session, xml)


def _checked(ctx: AppContext, session: Session, xml: bytes) -> Checked:
    kind, key = identify(xml)
    errors, warnings = deployment.check(ctx, session, {file_name(key, kind): xml})
    return Checked(key, errors, warnings)


def file_name(key: str | None, kind: str = "bpmn") -> str:
    """The name a model deploys under, the project's own convention: bpmn/<key>.bpmn, and a
    decision table in a file named after its decision (decision_tables finds it so)."""
    return f"{key or 'model'}.{kind}"


def save_draft(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> tuple[Checked, datetime]:
    """Keep the diagram as the actor's draft of its process, even with errors."""
    kind, key = identify(xml)
    require_editor(ctx, session, actor, "model.draft", key or "model")
    if kind != "bpmn" or key is None:
        _refuse(NO_DMN_DRAFTS if kind == "dmn" else NO_PROCESS)
    checked = _checked(ctx, session, xml)
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


def try_table(ctx: AppContext, session: Session, actor: Actor, key: str, xml: bytes,
              values: dict[str, str]) -> DecisionOutcome:
    """试算: the decision table as the analyst is editing it (not deployed) on sample values
    by input column, evaluated by the engine that runs it in processes."""
    require_editor(ctx, session, actor, "model.evaluate", key)
    return decision_tables.evaluate_edited(ctx, xml, file_name(key, "dmn"), values)


@dataclass
class Deployed:
    kind: str
    key: str
    version: int | None
    warnings: list[DefinitionProblem]


def deploy(ctx: AppContext, session: Session, actor: Actor, xml: bytes) -> Deployed:
    """Deploy the diagram as a new version of its process, or the decision file as a new
    version of its table (none if it equals the latest); running instances stay on their
    version (R28). Errors refuse it (DeploymentRefused)."""
    kind, key = identify(xml)
    require_editor(ctx, session, actor, "deployment.create", key or "model")
    if key is None:
        _refuse(NO_DECISION if kind == "dmn" else NO_PROCESS)
    files = {file_name(key, kind): xml}
    result = deployment.deploy(ctx, session, actor, f"{SOURCE}:{key}", files, source=SOURCE)
    return Deployed(kind, key, None if result.unchanged else _new_version(session, result, kind, key),
                    result.warnings)


def _new_version(session: Session, result, kind: str, key: str) -> int | None:
    if kind == "bpmn":
        versions = [d.version for d in result.new_definitions if d.key == key]
        return versions[0] if versions else None
    table = next((t for t in model_catalog.decision_tables(session) if t.key == key), None)
    return table.latest.version if table is not None else None
