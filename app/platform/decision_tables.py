"""Evaluate a deployed decision table outside any process: thresholds a service checks
(governance, R17) or shows (targets, R29) stay in DMN that analysts edit and redeploy.

A decision table is deployed in a file named after its decision (`tic_targets.dmn` holds
`tic_targets`), as the project's bpmn/ does. The latest deployed file is evaluated by the
engine itself: a one-step process whose business rule task calls the decision, so a cell
means exactly what it means inside a diagram.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.engine.compiler import SourceFile, compile_models, content_hash
from app.engine.errors import EngineError, InvalidDefinition
from app.models import Deployment, DeploymentResource

from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound

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


def decide(ctx: AppContext, session: Session, decision_id: str, inputs: dict) -> dict:
    """The outputs of the latest deployed table `decision_id` for `inputs` (COLLECT: lists)."""
    table = _latest_table(session, decision_id)
    spec_id = f"decision:{decision_id}:{content_hash(table)}"
    spec_json = _compiled(ctx, decision_id, spec_id, table)
    try:
        execution = ctx.engine.start(spec_id, spec_json, dict(inputs))
    except EngineError as error:
        raise BadRequest(f"决策表 {decision_id} 无法计算：{error}") from error
    return {name: value for name, value in execution.variables().items() if name not in inputs}


def _latest_table(session: Session, decision_id: str) -> bytes:
    file_name = f"{decision_id}.dmn"
    content = session.scalar(
        select(DeploymentResource.content)
        .join(Deployment, Deployment.id == DeploymentResource.deployment_id)
        .where(DeploymentResource.kind == "dmn",
               or_(DeploymentResource.name == file_name,
                   DeploymentResource.name.like(f"%/{file_name}")))
        .order_by(Deployment.deployed_at.desc()).limit(1)
    )
    if content is None:
        raise NotFound(f"决策表 {decision_id} 尚未部署 / decision table not deployed")
    return content


def _compiled(ctx: AppContext, decision_id: str, spec_id: str, table: bytes) -> str:
    cache = ctx.caches.setdefault("decision_tables", {})
    spec_json = cache.get(spec_id)
    if spec_json is None:
        caller = SourceFile(f"decide_{decision_id}.bpmn", _CALLER.format(id=decision_id).encode())
        try:
            (compiled,) = compile_models([caller], [SourceFile(f"{decision_id}.dmn", table)],
                                         known_forms=set(), known_topics=set())
        except InvalidDefinition as error:
            raise BadRequest(f"决策表 {decision_id} 无法解析 / decision table cannot be parsed") from error
        spec_json = cache[spec_id] = compiled.spec_json
    return spec_json
