"""Migrating running instances from one version of a process to another (Camunda 7's
migration): the plan and its dry run; `migration_execution` moves the instances.

A plan maps activities of the source version to the target's (`engine.migration_plan`).
The dry run restores each instance and moves it in memory, exactly as the execution would,
and reports which can move and why the others cannot. Instances not migrated keep their
version (R28).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine import migration as engine_migration
from app.engine.migration_plan import (
    MIGRATABLE, Instruction, activities_of, generate, instruction_failures,
)
from app.models import InstanceState, ProcessDefinition, ProcessInstance

from app.core.context import AppContext
from app.core.errors import BadRequest, ServiceError
from app.core.identity import Actor
from app.platform.migration_access import plan_refusal
from app.platform.model_diff import version_of
from app.platform.permissions import enforce

# A dry run without a list of instances looks at this many of the source's running ones.
DRY_RUN_LIMIT = 1000


class PlanInvalid(BadRequest):
    """Some instruction of the plan cannot hold; `errors` lists each one's failures."""

    error_type = "MigrationPlanValidationException"


@dataclass(frozen=True)
class Plan:
    source: ProcessDefinition
    target: ProcessDefinition
    instructions: list[Instruction]

    @property
    def mapping(self) -> dict[str, str]:
        return {i.source: i.target for i in self.instructions}


@dataclass
class InstanceReport:
    instance_id: str
    business_key: str | None = None
    blockers: list[engine_migration.Blocker] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"processInstanceId": self.instance_id, "businessKey": self.business_key,
                "canMigrate": not self.blockers, "reasons": [blocker_json(b) for b in self.blockers]}


def generate_plan(session: Session, actor: Actor, source_id, target_id,
                  overrides: dict[str, str] | None = None) -> Plan:
    """Camunda's generated plan (equal ids and kinds), with the analyst's overrides."""
    enforce(plan_refusal(actor))
    source, target = _definitions(session, source_id, target_id)
    instructions = generate(_activities(source), _activities(target), overrides)
    return Plan(source, target, instructions)


def plan_of(session: Session, actor: Actor, source_id, target_id,
            instructions: list[Instruction]) -> Plan:
    """A plan as a client sent it."""
    enforce(plan_refusal(actor))
    source, target = _definitions(session, source_id, target_id)
    return Plan(source, target, list(instructions))


def plan_between_versions(session: Session, actor: Actor, key: str, source_version: int,
                          target_version: int, mapping: dict[str, str] | None = None) -> Plan:
    """The plan from version `source_version` of process `key` to `target_version`, as the
    modeler's migration page names them: generated, or exactly `mapping` (source activity
    id -> target activity id; an activity left out stays unmapped)."""
    enforce(plan_refusal(actor))
    source = version_of(session, key, source_version, "from")
    target = version_of(session, key, target_version, "to")
    if mapping is None:
        return Plan(source, target, generate(_activities(source), _activities(target)))
    return Plan(source, target, [Instruction(s, t) for s, t in mapping.items()])


def activity_choices(plan: Plan) -> dict[str, list[dict]]:
    """The activities either side of the plan that an instance can be in: what a mapping
    table offers."""
    return {side: [{"id": a.id, "name": a.name, "kind": a.kind}
                   for a in _activities(definition).values() if a.kind in MIGRATABLE]
            for side, definition in (("source", plan.source), ("target", plan.target))}


def instruction_reports(plan: Plan) -> list[tuple[Instruction, list[str]]]:
    """Each instruction with why it cannot hold (empty when it holds)."""
    failures = instruction_failures(_activities(plan.source), _activities(plan.target), plan.instructions)
    return list(zip(plan.instructions, failures))


def _definitions(session: Session, source_id, target_id) -> tuple[ProcessDefinition, ProcessDefinition]:
    return (_definition(session, source_id, "sourceProcessDefinitionId"),
            _definition(session, target_id, "targetProcessDefinitionId"))


def _definition(session: Session, definition_id, field_name: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, definition_id) if isinstance(definition_id, str) else None
    if definition is None:
        raise BadRequest(f"{field_name}：流程定义 {definition_id} 不存在 / {field_name}: no process "
                         f"definition {definition_id}",
                         [{"field": field_name, "message": f"流程定义 {definition_id} 不存在"}])
    return definition


def _activities(definition: ProcessDefinition):
    return activities_of(definition.bpmn_xml, definition.key)


def dry_run(ctx: AppContext, session: Session, actor: Actor, plan: Plan,
            instance_ids: list[str] | None = None) -> list[InstanceReport]:
    """Which instances can move under `plan` and why the others cannot; nothing is saved.
    Without `instance_ids`, the source's running instances."""
    enforce(plan_refusal(actor))
    require_valid(plan)
    if instance_ids is None:
        instance_ids = list(session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.definition_id == plan.source.id,
                                             ProcessInstance.state == InstanceState.ACTIVE)
            .order_by(ProcessInstance.start_time).limit(DRY_RUN_LIMIT)))
    return [_trial(ctx, session, plan, instance_id) for instance_id in instance_ids]


def _trial(ctx: AppContext, session: Session, plan: Plan, instance_id: str) -> InstanceReport:
    instance = session.get(ProcessInstance, instance_id)
    report = InstanceReport(instance_id, instance.business_key if instance else None)
    report.blockers = not_movable(instance, plan)
    if not report.blockers:
        execution = ctx.engine.restore(plan.source.id, plan.source.spec_json, instance.state_json)
        try:
            engine_migration.move(ctx.engine, execution, plan.mapping, plan.target.id,
                                  plan.target.spec_json)
        except engine_migration.MigrationBlocked as blocked:
            report.blockers = blocked.blockers
    return report


def not_movable(instance: ProcessInstance | None, plan: Plan) -> list[engine_migration.Blocker]:
    if instance is None:
        return [engine_migration.Blocker(None, "not_found", "流程实例不存在 / process instance not found")]
    if instance.state != InstanceState.ACTIVE:
        return [engine_migration.Blocker(None, "ended", "流程实例已结束 / the instance has ended")]
    if instance.definition_id != plan.source.id:
        return [engine_migration.Blocker(None, "other_version", "实例不在迁移计划的源版本上 / the "
                                         "instance does not run on the plan's source version")]
    return []


def require_valid(plan: Plan) -> None:
    errors = [
        {"field": f"instructions[{n}]", "message": "; ".join(failures)}
        for n, (_instruction, failures) in enumerate(instruction_reports(plan)) if failures
    ]
    if errors:
        raise PlanInvalid("迁移计划有误，见各条指令 / the migration plan is invalid", errors)


def reason_of(error: ServiceError) -> str:
    return {404: "not_found", 409: "conflict"}.get(error.status, "refused")


def blocker_json(blocker: engine_migration.Blocker) -> dict:
    return {"activityId": blocker.activity_id, "reason": blocker.reason, "message": blocker.message}


def batch_target(plan: Plan) -> str:
    return f"{plan.source.id} -> {plan.target.id}"
