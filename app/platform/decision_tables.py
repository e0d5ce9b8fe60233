"""Deployed decision tables: their versions, and evaluating one outside any process.

Thresholds a service checks (governance, R17) or shows (targets, R29) stay in DMN that
analysts edit and redeploy, and analysts try a deployed version on sample inputs (试算).
A table is evaluated by the engine itself: a one-step process whose business rule
task calls the decision, so a cell means exactly what it means inside a diagram. Nothing
is written: no instance, no history.

Who may evaluate a table is who may list definitions: every signed-in user.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine.compiler import CompiledDecision, SourceFile, compile_models, content_hash
from app.engine.decisions import MatchedRule
from app.engine.errors import EngineError, InvalidDefinition
from app.models import DecisionDefinition, Deployment

from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.paging import Page
from app.platform.instance_store import new_id

_CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="decide_{id}_definitions" targetNamespace="http://tic-flow/decisions">
  <bpmn:process id="decide_{id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="to_decision" sourceRef="start" targetRef="decision"/>
    <bpmn:businessRuleTask id="decision" camunda:decisionRef="{id}"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="decision" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class Evaluation:
    """A table tried on sample inputs: the rules its hit policy kept, in table order, each
    with its outputs (UNIQUE and FIRST keep the first match, COLLECT every match)."""

    definition: DecisionDefinition
    hit_policy: str
    matched: list[MatchedRule]


def record_version(session: Session, deployment: Deployment, decision: CompiledDecision,
                   content: bytes) -> DecisionDefinition | None:
    """A new version of the decision when its file changed since the latest version."""
    digest = content_hash(content)
    latest = latest_definition(session, decision.key)
    if latest is not None and latest.content_hash == digest:
        return None
    version = latest.version + 1 if latest else 1
    definition = DecisionDefinition(
        id=f"{decision.key}:{version}:{new_id()}", key=decision.key, version=version,
        name=decision.name, deployment_id=deployment.id, resource_name=decision.resource_name,
        dmn_xml=content, content_hash=digest,
    )
    session.add(definition)
    session.flush()
    return definition


def is_latest_table(session: Session, resource_name: str, content: bytes) -> bool:
    """Whether `content`, deployed as `resource_name`, is the latest version of its decision."""
    found = session.scalars(select(DecisionDefinition).where(
        DecisionDefinition.resource_name == resource_name,
        DecisionDefinition.content_hash == content_hash(content)))
    return any(latest_definition(session, row.key).id == row.id for row in found)


def latest_definition(session: Session, key: str) -> DecisionDefinition | None:
    return session.scalar(
        select(DecisionDefinition).where(DecisionDefinition.key == key)
        .order_by(DecisionDefinition.version.desc()).limit(1)
    )


def list_definitions(session: Session, key: str | None, latest_only: bool, page: Page) -> list[DecisionDefinition]:
    query = select(DecisionDefinition)
    if key:
        query = query.where(DecisionDefinition.key == key)
    if latest_only:
        latest = (
            select(DecisionDefinition.key, func.max(DecisionDefinition.version).label("v"))
            .group_by(DecisionDefinition.key).subquery()
        )
        query = query.join(latest, (DecisionDefinition.key == latest.c.key)
                           & (DecisionDefinition.version == latest.c.v))
    return list(session.scalars(page.apply(
        query.order_by(DecisionDefinition.key, DecisionDefinition.version)
    )))


def find_definition(session: Session, key: str | None = None, version: int | None = None,
                    definition_id: str | None = None) -> DecisionDefinition:
    """The version asked for: by id, or `key`'s given version, or `key`'s latest."""
    if definition_id is not None:
        found = session.get(DecisionDefinition, definition_id)
    elif version is not None:
        found = session.scalar(select(DecisionDefinition).where(
            DecisionDefinition.key == key, DecisionDefinition.version == version))
    else:
        found = latest_definition(session, key)
    if found is None:
        wanted = definition_id or (f"{key} 版本 {version}" if version is not None else key)
        raise NotFound(f"决策定义 {wanted} 不存在 / no decision definition {wanted}")
    return found


def evaluate(ctx: AppContext, session: Session, inputs: dict, key: str | None = None,
             version: int | None = None, definition_id: str | None = None) -> Evaluation:
    """Try a deployed table (see `find_definition`) on `inputs` with the engine that runs it
    in processes."""
    definition = find_definition(session, key, version, definition_id)
    spec_json = _compiled(ctx, definition)
    try:
        outcome = ctx.engine.evaluate_decision(_spec_id(definition), spec_json, dict(inputs))
    except EngineError as error:
        raise _cannot_evaluate(definition.key, error) from error
    return Evaluation(definition, outcome.hit_policy, outcome.matched)


def decide(ctx: AppContext, session: Session, decision_id: str, inputs: dict) -> dict:
    """The outputs of the latest deployed table `decision_id` for `inputs`, merged as a
    business rule task merges them into its process (COLLECT: lists)."""
    definition = latest_definition(session, decision_id)
    if definition is None:
        raise NotFound(f"决策表 {decision_id} 尚未部署 / decision table not deployed")
    spec_json = _compiled(ctx, definition)
    try:
        execution = ctx.engine.start(_spec_id(definition), spec_json, dict(inputs))
    except EngineError as error:
        raise _cannot_evaluate(decision_id, error) from error
    return {name: value for name, value in execution.variables().items() if name not in inputs}


def _cannot_evaluate(key: str, error: EngineError) -> BadRequest:
    return BadRequest(f"决策表 {key} 无法计算：{error} / the decision table cannot be evaluated")


def _spec_id(definition: DecisionDefinition) -> str:
    return f"decision:{definition.id}"


def _compiled(ctx: AppContext, definition: DecisionDefinition) -> str:
    cache = ctx.caches.setdefault("decision_tables", {})
    spec_json = cache.get(definition.id)
    if spec_json is None:
        key = definition.key
        caller = SourceFile(f"decide_{key}.bpmn", _CALLER.format(id=key).encode())
        try:
            (compiled,) = compile_models([caller], [SourceFile(definition.resource_name, definition.dmn_xml)],
                                         known_forms=set(), known_topics=set())
        except InvalidDefinition as error:
            raise BadRequest(f"决策表 {key} 无法解析 / decision table cannot be parsed") from error
        spec_json = cache[definition.id] = compiled.spec_json
    return spec_json
