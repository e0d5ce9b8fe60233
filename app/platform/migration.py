"""Migrating running instances from one version of a process to another (Camunda 7's
migration): plan, dry run, execute.

A plan maps activities of the source version to the target's (`engine.migration_plan`).
The dry run restores each instance and moves it in memory, exactly as the execution would,
and reports which can move and why the others cannot. The execution moves each instance
that can in a unit of work of its own (its row taken and version-checked like any
command), so one instance that cannot move, or that another command changed meanwhile,
leaves the others moved; each moved instance gets a history event, the batch one audit
entry. Instances not migrated keep their version (R28). An admin can undo a batch, moving
its instances back by the inverted plan, while none of them has moved on since.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine import migration as engine_migration
from app.engine.migration_plan import Instruction, activities_of, generate, instruction_failures
from app.models import InstanceState, MigratedInstance, ProcessDefinition, ProcessInstance
from app.prepared import Prepared

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound, ServiceError
from app.core.identity import Actor
from app.platform import instance_store, migration_projection
from app.platform.migration_access import execute_refusal, plan_refusal
from app.platform.permissions import enforce

_INSTANCE = ProcessInstance.__table__
# The instance changes definition under the same optimistic check as every command.
_MOVE_INSTANCE = Prepared(
    update(_INSTANCE)
    .where(_INSTANCE.c.id == bindparam("instance_id"), _INSTANCE.c.version == bindparam("seen"))
    .values(definition_id=bindparam("target_id"), version=_INSTANCE.c.version + 1)
)
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
                "canMigrate": not self.blockers, "reasons": [_blocker(b) for b in self.blockers]}


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
    _require_valid(plan)
    if instance_ids is None:
        instance_ids = list(session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.definition_id == plan.source.id,
                                             ProcessInstance.state == InstanceState.ACTIVE)
            .order_by(ProcessInstance.start_time).limit(DRY_RUN_LIMIT)))
    return [_trial(ctx, session, plan, instance_id) for instance_id in instance_ids]


def _trial(ctx: AppContext, session: Session, plan: Plan, instance_id: str) -> InstanceReport:
    instance = session.get(ProcessInstance, instance_id)
    report = InstanceReport(instance_id, instance.business_key if instance else None)
    report.blockers = _not_movable(instance, plan)
    if not report.blockers:
        execution = ctx.engine.restore(plan.source.id, plan.source.spec_json, instance.state_json)
        try:
            engine_migration.move(ctx.engine, execution, plan.mapping, plan.target.id,
                                  plan.target.spec_json)
        except engine_migration.MigrationBlocked as blocked:
            report.blockers = blocked.blockers
    return report


def _not_movable(instance: ProcessInstance | None, plan: Plan) -> list[engine_migration.Blocker]:
    if instance is None:
        return [engine_migration.Blocker(None, "not_found", "流程实例不存在 / process instance not found")]
    if instance.state != InstanceState.ACTIVE:
        return [engine_migration.Blocker(None, "ended", "流程实例已结束 / the instance has ended")]
    if instance.definition_id != plan.source.id:
        return [engine_migration.Blocker(None, "other_version", "实例不在迁移计划的源版本上 / the "
                                         "instance does not run on the plan's source version")]
    return []


def _require_valid(plan: Plan) -> None:
    errors = [
        {"field": f"instructions[{n}]", "message": "; ".join(failures)}
        for n, (_instruction, failures) in enumerate(instruction_reports(plan)) if failures
    ]
    if errors:
        raise PlanInvalid("迁移计划有误，见各条指令 / the migration plan is invalid", errors)


def execute(ctx: AppContext, actor: Actor, plan: Plan, instance_ids: list[str]) -> dict:
    """Move each instance that can move, one unit of work each; one audit entry for the batch."""
    _require_executor(ctx, actor, _batch_target(plan), {"instructions": plan.mapping,
                                                       "instances": instance_ids})
    _require_valid(plan)
    return _run_batch(ctx, actor, plan, {i: None for i in instance_ids})


def undo_batch(ctx: AppContext, actor: Actor, batch_id: str) -> dict:
    """Move the instances of batch `batch_id` back where they came from, while none of them
    has moved on since (each still at the row version the batch left it at)."""
    _require_executor(ctx, actor, batch_id, {"undoes": batch_id})
    with ctx.db.read() as session:
        rows = list(session.scalars(select(MigratedInstance).where(MigratedInstance.batch_id == batch_id)))
        if not rows:
            raise NotFound(f"迁移批次 {batch_id} 不存在 / no migration batch {batch_id}",
                           [{"field": "batchId", "message": f"迁移批次 {batch_id} 不存在"}])
        _require_unchanged(session, rows)
        first = rows[0]
        plan = Plan(session.get(ProcessDefinition, first.target_definition_id),
                    session.get(ProcessDefinition, first.source_definition_id),
                    [Instruction(target, source)
                     for source, target in json.loads(first.instructions_json).items()])
    _require_valid(plan)
    return _run_batch(ctx, actor, plan, {r.instance_id: r.version_after for r in rows}, undoes=batch_id)


def _require_unchanged(session: Session, rows: list[MigratedInstance]) -> None:
    if any(r.undone_by for r in rows):
        raise Conflict("该迁移批次已撤销 / the migration batch has already been undone")
    moved_on = [r.instance_id for r in rows if _moved_on(session.get(ProcessInstance, r.instance_id), r)]
    if moved_on:
        raise Conflict(f"以下实例在迁移后已继续流转，不能撤销：{', '.join(moved_on)} / these instances "
                       f"have moved on since the migration: {', '.join(moved_on)}",
                       [{"field": "batchId", "message": f"实例 {i} 已继续流转"} for i in moved_on])


def _moved_on(instance: ProcessInstance | None, row: MigratedInstance) -> bool:
    return (instance is None or instance.state != InstanceState.ACTIVE
            or instance.version != row.version_after or instance.definition_id != row.target_definition_id)


def _require_executor(ctx: AppContext, actor: Actor, target: str, details: dict) -> None:
    refusal = execute_refusal(actor)
    if refusal is not None:
        _audit(ctx, actor, target, details, success=False)
        raise refusal


def _run_batch(ctx: AppContext, actor: Actor, plan: Plan, expected: dict[str, int | None],
               undoes: str | None = None) -> dict:
    """Each instance in a unit of work of its own; `expected` holds the row version an
    instance must still be at (None: any)."""
    batch = instance_store.new_id()
    moved, skipped = [], []
    for instance_id, version in expected.items():
        try:
            with ctx.db.command() as session:
                _move_one(ctx, session, actor, plan, _Move(instance_id, version, batch, undoes))
            moved.append(instance_id)
        except engine_migration.MigrationBlocked as blocked:
            skipped.append((instance_id, blocked.blockers))
        except ServiceError as error:
            skipped.append((instance_id, [engine_migration.Blocker(None, _reason(error), error.message)]))
    report = {"batchId": batch, "migrated": moved,
              "skipped": [{"processInstanceId": i, "reasons": [_blocker(b) for b in blockers]}
                          for i, blockers in skipped]}
    details = dict(report, instructions=plan.mapping, **({"undoes": undoes} if undoes else {}))
    _audit(ctx, actor, _batch_target(plan), details, success=True)
    return report


@dataclass(frozen=True)
class _Move:
    instance_id: str
    expected_version: int | None
    batch: str
    undoes: str | None


def _move_one(ctx: AppContext, session: Session, actor: Actor, plan: Plan, move: _Move) -> None:
    loaded = instance_store.load(ctx, session, move.instance_id)
    _check_movable(session, loaded, plan, move)
    moved = engine_migration.move(ctx.engine, loaded.execution, plan.mapping, plan.target.id,
                                  plan.target.spec_json)
    row = loaded.row
    if _MOVE_INSTANCE.execute(connection_of(session), {
        "instance_id": row.id, "seen": row.version, "target_id": plan.target.id,
    }) != 1:
        raise Conflict("流程实例已被他人修改，请刷新后重试 / the instance was changed meanwhile")
    row.version += 1
    row.definition_id = plan.target.id
    loaded.definition = instance_store.definition_of(ctx, session, plan.target.id)
    loaded.execution = moved
    migration_projection.follow(session, row.id, plan.target.id, moved.snapshot(),
                                set(loaded.waits.get("tasks", ())), set(loaded.waits.get("active", ())),
                                ctx.now())
    loaded.record("instance_migrated", actor.id, source=plan.source.id, target=plan.target.id,
                  batch=move.batch, **({"undoes": move.undoes} if move.undoes else {}))
    instance_store.save(ctx, session, loaded, actor.id)
    _remember(ctx, session, actor, plan, move, row.version)


def _check_movable(session: Session, loaded, plan: Plan, move: _Move) -> None:
    if loaded.row.definition_id != plan.source.id:
        raise engine_migration.MigrationBlocked(_not_movable(session.get(ProcessInstance, move.instance_id), plan))
    if move.expected_version is not None and loaded.row.version != move.expected_version:
        raise engine_migration.MigrationBlocked([engine_migration.Blocker(
            None, "moved_on", "实例在迁移后已继续流转 / the instance has moved on since the migration")])


def _remember(ctx: AppContext, session: Session, actor: Actor, plan: Plan, move: _Move,
              version: int) -> None:
    """The move, for undoing its batch; an undo marks the move it undid."""
    session.add(MigratedInstance(
        batch_id=move.batch, instance_id=move.instance_id, source_definition_id=plan.source.id,
        target_definition_id=plan.target.id, instructions_json=json.dumps(plan.mapping),
        version_after=version, migrated_at=ctx.now(), migrated_by=actor.id,
    ))
    if move.undoes:
        session.execute(update(MigratedInstance).where(
            MigratedInstance.batch_id == move.undoes, MigratedInstance.instance_id == move.instance_id,
        ).values(undone_by=move.batch))


def _reason(error: ServiceError) -> str:
    return {404: "not_found", 409: "conflict"}.get(error.status, "refused")


def _blocker(blocker: engine_migration.Blocker) -> dict:
    return {"activityId": blocker.activity_id, "reason": blocker.reason, "message": blocker.message}


def _batch_target(plan: Plan) -> str:
    return f"{plan.source.id} -> {plan.target.id}"


def _audit(ctx: AppContext, actor: Actor, target: str, details: dict, success: bool) -> None:
    """The batch's entry, in a unit of work of its own: each instance committed in its own."""
    with ctx.db.command() as session:
        audit.record(ctx, session, "instance.migrate", user_id=actor.id, success=success,
                     target=target, source=actor.source, details=details)
