"""Decision history (Camunda's historic decision instances): each evaluation of a decision
table by a process, written with the save of the command that ran it, and read as its
instance is read. An input whose expression names a confidential variable, and an output
that sets one, are shown only to those who read confidential data (`core/confidential.py`).

The version of a table a process evaluated is the one it was deployed with: the newest
version of the decision deployed at or before the process definition
(`deployment._decision_library`), found by the decision table's id in the deployed DMN.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, true
from sqlalchemy.orm import Session

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.engine.decision_history import DecisionEvaluation, table_ids
from app.models import DecisionDefinition, Deployment, ProcessDefinition
from app.models.decision_history import HistoricDecisionInstance
from app.prepared import Deferred, Prepared

from . import query_criteria as qc
from .queries import visible_instance_ids
from .query_criteria import Query

_HD = HistoricDecisionInstance
_INSERT = Prepared(insert(_HD.__table__))

CRITERIA: dict[str, qc.Criterion] = {
    "decisionInstanceId": qc.Equal(_HD.id), "decisionInstanceIdIn": qc.OneOf(_HD.id),
    "decisionDefinitionId": qc.Equal(_HD.decision_definition_id),
    "decisionDefinitionIdIn": qc.OneOf(_HD.decision_definition_id),
    "decisionDefinitionKey": qc.Equal(_HD.decision_key), "decisionDefinitionKeyIn": qc.OneOf(_HD.decision_key),
    "decisionDefinitionName": qc.Equal(_HD.decision_name),
    "decisionDefinitionNameLike": qc.Matching(_HD.decision_name),
    "processDefinitionId": qc.Equal(_HD.definition_id), "processDefinitionKey": qc.Equal(_HD.process_key),
    "processInstanceId": qc.Equal(_HD.instance_id),
    "activityIdIn": qc.OneOf(_HD.activity_id), "activityInstanceIdIn": qc.OneOf(_HD.activity_instance_id),
    "evaluatedBefore": qc.Until(_HD.evaluation_time), "evaluatedAfter": qc.Since(_HD.evaluation_time),
    "userId": qc.Equal(_HD.user_id),
    # Every evaluation here is a root: no table here calls another (no decision requirements).
    "rootDecisionInstancesOnly": qc.Constant(None, kind="flag"),
    **qc.WITHOUT_TENANTS,
}
SORTS = {"evaluationTime": _HD.evaluation_time}


def append(ctx: AppContext, session: Session, writes: Deferred, instance, evaluations: list[DecisionEvaluation],
           actor_id: str | None, now: datetime) -> None:
    """Write `instance`'s new evaluations with the other writes of its save."""
    if not evaluations:
        return
    called = _called_decisions(ctx, session, instance.definition_id)
    writes.write(_INSERT, [_row(e, called.get(e.table_id), instance, actor_id, now) for e in evaluations])


def decision_instances(session: Session, actor: Actor, q: Query, page: Page) -> list[HistoricDecisionInstance]:
    query, parameters = decision_instances_query(actor, q)
    ordered = qc.ordered(query, SORTS, q, _HD.evaluation_time, _HD.id)
    return list(session.scalars(page.apply(ordered), parameters))


def decision_instance(session: Session, actor: Actor, decision_instance_id: str) -> HistoricDecisionInstance:
    """One evaluation, for whoever may read its instance (NotFound for anyone else)."""
    found = session.scalar(*decision_instances_query(actor, Query({"decisionInstanceId": decision_instance_id})))
    if found is None:
        raise NotFound(f"决策记录 {decision_instance_id} 不存在 / historic decision instance not found")
    return found


def decision_instances_query(actor: Actor, q: Query) -> tuple:
    """The evaluations of the instances `actor` may read that match `q`; and its parameters."""
    steps = true() if confidential.sees_all(actor) else confidential.not_confidential(_HD.activity_id)
    query = select(_HD).where(_HD.instance_id.in_(visible_instance_ids(actor)), steps)
    return qc.filtered(actor, query, CRITERIA, q)


@dataclass(frozen=True)
class Decided:
    """An evaluation as a page shows it: what `actor` may read of its inputs and outputs."""

    row: HistoricDecisionInstance
    inputs: list[dict]
    outputs: list[dict]


def of_instance(session: Session, actor: Actor, instance_id: str, page: Page) -> list[Decided]:
    """The instance's evaluations `actor` may read, in the order they ran."""
    found = decision_instances(session, actor, Query({"processInstanceId": instance_id}), page)
    return [Decided(d, inputs(actor, d), outputs(actor, d)) for d in found]


def inputs(actor: Actor, found: HistoricDecisionInstance) -> list[dict]:
    """The evaluation's inputs `actor` may read, in the table's column order."""
    shown = json.loads(found.inputs_json)
    if confidential.sees_all(actor):
        return shown
    return [i for i in shown if not confidential.mentions(i["expression"])]


def outputs(actor: Actor, found: HistoricDecisionInstance) -> list[dict]:
    """The outputs of the rules kept that `actor` may read, rule by rule."""
    shown = json.loads(found.outputs_json)
    if confidential.sees_all(actor):
        return shown
    return [o for o in shown if o["variableName"] not in confidential.VARIABLES]


def _row(evaluation: DecisionEvaluation, called: dict | None, instance, actor_id: str | None,
         now: datetime) -> dict:
    return {
        "id": str(uuid.uuid4()), "decision_definition_id": called and called["id"],
        "decision_key": called["key"] if called else evaluation.table_id,
        "decision_name": called["name"] if called else evaluation.table_name,
        "instance_id": instance.id, "process_key": instance.process_key, "definition_id": instance.definition_id,
        "activity_id": evaluation.activity_id, "activity_name": evaluation.activity_name,
        "activity_instance_id": evaluation.activity_instance_id,
        "evaluation_time": now, "user_id": actor_id, "hit_policy": evaluation.hit_policy,
        "inputs_json": _json([{
            "clauseId": i.clause_id, "clauseName": i.clause_name, "expression": i.expression,
            "value": i.value, "errorMessage": i.error} for i in evaluation.inputs]),
        "outputs_json": _json([{
            "clauseId": o.clause_id, "clauseName": o.clause_name, "variableName": o.variable_name,
            "ruleId": o.rule_id, "ruleOrder": o.rule_order, "value": o.value} for o in evaluation.outputs]),
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _called_decisions(ctx: AppContext, session: Session, definition_id: str) -> dict[str, dict]:
    """Decision table id -> the deployed decision (id, key, name) a process definition was
    deployed with; kept per definition, which never changes."""
    cache = ctx.caches.setdefault("called_decisions", {})
    found = cache.get(definition_id)
    if found is None:
        found = cache[definition_id] = _deployed_with(session, definition_id)
    return found


def _deployed_with(session: Session, definition_id: str) -> dict[str, dict]:
    deployed_at = (select(Deployment.deployed_at)
                   .join(ProcessDefinition, ProcessDefinition.deployment_id == Deployment.id)
                   .where(ProcessDefinition.id == definition_id).scalar_subquery())
    rows = session.execute(
        select(DecisionDefinition.id, DecisionDefinition.key, DecisionDefinition.name, DecisionDefinition.dmn_xml)
        .join(Deployment, Deployment.id == DecisionDefinition.deployment_id)
        .where(Deployment.deployed_at <= deployed_at)
        .order_by(DecisionDefinition.version)).all()
    found: dict[str, dict] = {}
    for row in rows:
        for table_id in table_ids(row.dmn_xml, row.key):
            found[table_id] = {"id": row.id, "key": row.key, "name": row.name}
    return found
