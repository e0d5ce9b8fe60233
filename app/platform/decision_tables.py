"""Deployed decision tables: their versions, and evaluating one outside any process.

Thresholds a service checks (governance, R17) or shows (targets, R29) stay in DMN that
analysts edit and redeploy, and analysts try a deployed version on sample inputs (试算).
A table is evaluated by the engine itself: a one-step process whose business rule
task calls the decision, so a cell means exactly what it means inside a diagram. Nothing
is written: no instance, no history.

Who may evaluate a table is who may list definitions: every signed-in user. A table as an
analyst edits it, not yet deployed, is tried the same way (`evaluate_edited`), one value
per input column; the modeler asks who may.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.compiler import CompiledDecision, SourceFile, compile_models, content_hash
from app.engine.decision_trial import InputClause, trial_table
from app.engine.decisions import DecisionOutcome, MatchedRule
from app.engine.errors import EngineError, InvalidDefinition
from app.models import DecisionDefinition, Deployment

from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound, ValidationFailed
from app.platform.instance_store import new_id

# What a trial input may be, by the column's typeRef (DMN 1.3 and FEEL names).
_INTEGER_TYPES = {"integer", "long", "short", "int"}
_NUMBER_TYPES = {"number", "double", "float", "decimal"}
_INTEGER = re.compile(r"[+-]?\d{1,15}")
_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})")
_BOOLEANS = {"true": True, "false": False}

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


class DeployedDecisions:
    """The engine's source of the latest deployed version of each decision: business rule
    tasks evaluate it when they run (Camunda's default binding `latest`). Read in a read
    unit of work of its own, which on PostgreSQL is a pool of its own: a command waiting
    for it never waits for another command's connection."""

    def __init__(self, db: Database):
        self.db = db

    def latest_version(self, key: str) -> str | None:
        with self.db.read() as session:
            return session.scalar(select(DecisionDefinition.id).where(DecisionDefinition.key == key)
                                  .order_by(DecisionDefinition.version.desc()).limit(1))

    def table_file(self, version_id: str) -> tuple[str, bytes]:
        with self.db.read() as session:
            row = session.execute(select(DecisionDefinition.resource_name, DecisionDefinition.dmn_xml)
                                  .where(DecisionDefinition.id == version_id)).one()
            return row.resource_name, row.dmn_xml


def is_latest_table(session: Session, resource_name: str, content: bytes) -> bool:
    """Whether `content`, deployed as `resource_name`, is the latest version of its decision."""
    found = session.scalars(select(DecisionDefinition).where(
        DecisionDefinition.resource_name == resource_name,
        DecisionDefinition.content_hash == content_hash(content)))
    return any(latest_definition(session, row.key).id == row.id for row in found)


def latest_table_ids():
    """A query of the ids of each decision's latest version."""
    latest = (select(DecisionDefinition.key, func.max(DecisionDefinition.version).label("v"))
              .group_by(DecisionDefinition.key).subquery())
    return select(DecisionDefinition.id).join(
        latest, (DecisionDefinition.key == latest.c.key) & (DecisionDefinition.version == latest.c.v))


def latest_definition(session: Session, key: str) -> DecisionDefinition | None:
    return session.scalar(
        select(DecisionDefinition).where(DecisionDefinition.key == key)
        .order_by(DecisionDefinition.version.desc()).limit(1)
    )


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


def evaluate_edited(ctx: AppContext, xml: bytes, file_name: str, values: dict[str, str]) -> DecisionOutcome:
    """Try a table as edited, not deployed (the modeler's 试算): `values` are typed text by
    input column id, read by each column's typeRef (blank: no value). The same compilation
    and engine as `evaluate`; nothing is stored. Errors of the table refuse it, located."""
    try:
        table = trial_table(xml, file_name)
    except InvalidDefinition as error:
        raise _not_triable(error) from error
    inputs = _trial_inputs(table.clauses, values)
    try:
        spec_json = _caller_spec(table.decision_id, file_name, table.xml)
    except InvalidDefinition as error:
        raise _not_triable(error) from error
    try:
        # Keyed by content: the engine keeps parsed specs, and a changed table is a new spec.
        return ctx.engine.evaluate_decision(f"trial:{content_hash(table.xml)}", spec_json, inputs)
    except EngineError as error:
        raise _cannot_evaluate(table.decision_id, _trial_failure(str(error), table.clauses, inputs)) from error


def _trial_failure(message: str, clauses: list[InputClause], inputs: dict) -> str:
    """The engine's message naming columns as the analyst knows them, not by trial variable,
    and the columns left blank (a cell comparing no value is the usual cause)."""
    for clause in sorted(clauses, key=lambda c: len(c.variable), reverse=True):
        message = message.replace(clause.variable, clause.label)
    blank = [clause.label for clause in clauses if inputs[clause.variable] is None]
    return f"{message}（未填写的输入列：{'、'.join(blank)}）" if blank else message


def _not_triable(error: InvalidDefinition) -> BadRequest:
    return BadRequest("决策表有错误，修正后才能试算 / fix the table's errors to try it",
                      [dict(p.to_dict(), field="xml", message=p.message_zh) for p in error.problems])


def _trial_inputs(clauses: list[InputClause], values: dict[str, str]) -> dict:
    """Each column's value as its variable of the trial table; every bad value is reported."""
    inputs, errors = {}, []
    for clause in clauses:
        try:
            inputs[clause.variable] = _typed(clause.type_ref, (values.get(clause.id) or "").strip())
        except ValueError as error:
            zh, _, en = str(error).partition(" / ")
            errors.append({"field": clause.id, "message": f"{clause.label}：{zh}",
                           "message_zh": f"{clause.label}：{zh}", "message_en": f"{clause.label}: {en}"})
    if errors:
        raise ValidationFailed("试算输入有误 / some trial inputs are invalid", errors)
    return inputs


def _typed(type_ref: str, text: str):
    """`text` as a value of `type_ref`; blank is no value (None), as a missing variable."""
    kind = type_ref.lower()
    if not text:
        return None
    if kind in _INTEGER_TYPES:
        if not _INTEGER.fullmatch(text):
            raise ValueError("请输入整数 / enter a whole number")
        return int(text)
    if kind in _NUMBER_TYPES:
        if not _NUMBER.fullmatch(text):
            raise ValueError("请输入数字，如 69.9 / enter a number such as 69.9")
        return int(text) if _INTEGER.fullmatch(text) else float(text)
    if kind == "boolean":
        if text not in _BOOLEANS:
            raise ValueError("请选择“是”或“否” / choose yes or no")
        return _BOOLEANS[text]
    if kind == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValueError("请输入日期，如 2026-01-31 / enter a date such as 2026-01-31") from None
    return text


def _cannot_evaluate(key: str, error: EngineError | str) -> BadRequest:
    return BadRequest(f"决策表 {key} 无法计算：{error} / the decision table cannot be evaluated")


def _spec_id(definition: DecisionDefinition) -> str:
    return f"decision:{definition.id}"


def _compiled(ctx: AppContext, definition: DecisionDefinition) -> str:
    cache = ctx.caches.setdefault("decision_tables", {})
    spec_json = cache.get(definition.id)
    if spec_json is None:
        try:
            spec_json = _caller_spec(definition.key, definition.resource_name, definition.dmn_xml)
        except InvalidDefinition as error:
            raise BadRequest(f"决策表 {definition.key} 无法解析 / decision table cannot be parsed") from error
        cache[definition.id] = spec_json
    return spec_json


def _caller_spec(decision_id: str, resource_name: str, dmn_xml: bytes) -> str:
    """The spec of a one-step process calling the decision (raises InvalidDefinition)."""
    caller = SourceFile(f"decide_{decision_id}.bpmn", _CALLER.format(id=decision_id).encode())
    (compiled,) = compile_models([caller], [SourceFile(resource_name, dmn_xml)],
                                 known_forms=set(), known_topics=set())
    return compiled.spec_json
