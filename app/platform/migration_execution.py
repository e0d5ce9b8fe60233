"""Executing a migration plan: a batch that moves running instances to another version a
few at a time, its progress, and undoing it.

A batch is a row (`MigrationBatch`) listing the instances to move, in order, and the
position of the next one. Each step moves one instance in a unit of work of its own — its
row taken and version-checked like any command — and advances the batch's position in the
same unit of work under the batch row's version, so two requests driving one batch never
move an instance twice and a failure loses no step. An instance that cannot move, or that
another command changed meanwhile, is recorded as skipped with its reasons and the batch
goes on. The modeler's page drives a batch a few steps per request and shows the counts
between them; Camunda's REST execute runs it to the end at once. Each moved instance gets a
history event, the finished batch its one audit entry. An admin can undo a batch (a new
batch moving its instances back by the inverted plan) while none of them has moved on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine import migration as engine_migration
from app.engine.migration_plan import Instruction
from app.models import InstanceState, MigratedInstance, MigrationBatch, ProcessDefinition, ProcessInstance
from app.prepared import Prepared

from app.core import audit
from app.core.context import AppContext
from app.core.errors import Conflict, NotFound, ServiceError
from app.core.identity import Actor
from app.platform import instance_store, migration_projection
from app.platform.migration import Plan, batch_target, blocker_json, not_movable, reason_of, require_valid
from app.platform.migration_access import execute_refusal, plan_refusal
from app.platform.permissions import enforce

_INSTANCE = ProcessInstance.__table__
# The instance changes definition under the same optimistic check as every command.
_MOVE_INSTANCE = Prepared(
    update(_INSTANCE)
    .where(_INSTANCE.c.id == bindparam("instance_id"), _INSTANCE.c.version == bindparam("seen"))
    .values(definition_id=bindparam("target_id"), version=_INSTANCE.c.version + 1)
)
# The batches a process's migration page lists, newest first.
LISTED_BATCHES = 20


class BatchBusy(Exception):
    """Another request advanced the batch meanwhile: this one stops and reports."""


def execute(ctx: AppContext, actor: Actor, plan: Plan, instance_ids: list[str]) -> dict:
    """Move each instance that can move, all in this request (Camunda's execute)."""
    batch_id = start(ctx, actor, plan, instance_ids)
    return _report(advance(ctx, actor, batch_id, limit=None))


def start(ctx: AppContext, actor: Actor, plan: Plan, instance_ids: list[str]) -> str:
    """A new batch to move `instance_ids` under `plan` (admins only); nothing moves yet."""
    _require_executor(ctx, actor, batch_target(plan), {"instructions": plan.mapping,
                                                      "instances": instance_ids})
    require_valid(plan)
    with ctx.db.command() as session:
        return _create(ctx, session, actor, plan, [(i, None) for i in dict.fromkeys(instance_ids)])


def advance(ctx: AppContext, actor: Actor, batch_id: str, limit: int | None) -> dict:
    """Move up to `limit` more instances of the batch (None: all that are left); its status."""
    _require_executor(ctx, actor, batch_id, {"continues": batch_id})
    with ctx.db.read() as session:
        batch = _batch(session, batch_id)
        if batch.undone_by:
            raise Conflict("该迁移批次已撤销，不能继续执行 / the migration batch has been undone")
        plan = _plan(session, batch)
    steps = 0
    try:
        while (limit is None or steps < limit) and _step(ctx, actor, batch_id, plan):
            steps += 1
    except BatchBusy:
        pass
    _finish(ctx, actor, batch_id, plan)
    with ctx.db.read() as session:
        return _status(session, _batch(session, batch_id))


def status(session: Session, actor: Actor, batch_id: str) -> dict:
    """How far batch `batch_id` got: counts while it runs, its report once finished."""
    enforce(plan_refusal(actor))
    return _status(session, _batch(session, batch_id))


def batches_of(session: Session, actor: Actor, key: str) -> list[dict]:
    """The latest migration batches of process `key` (undos shown on the batch they undid)."""
    enforce(plan_refusal(actor))
    rows = session.scalars(select(MigrationBatch).where(
        MigrationBatch.process_key == key, MigrationBatch.undoes.is_(None),
    ).order_by(MigrationBatch.created_at.desc()).limit(LISTED_BATCHES))
    return [_status(session, row) for row in rows]


def undo_batch(ctx: AppContext, actor: Actor, batch_id: str) -> dict:
    """Move the instances of batch `batch_id` back where they came from, while none of them
    has moved on since (each still at the row version the batch left it at)."""
    _require_executor(ctx, actor, batch_id, {"undoes": batch_id})
    with ctx.db.command() as session:
        rows = list(session.scalars(select(MigratedInstance).where(MigratedInstance.batch_id == batch_id)))
        if not rows:
            raise NotFound(f"迁移批次 {batch_id} 不存在 / no migration batch {batch_id}",
                           [{"field": "batchId", "message": f"迁移批次 {batch_id} 不存在"}])
        _require_finished(session, batch_id)
        _require_unchanged(session, rows)
        first = rows[0]
        plan = Plan(session.get(ProcessDefinition, first.target_definition_id),
                    session.get(ProcessDefinition, first.source_definition_id),
                    [Instruction(target, source)
                     for source, target in json.loads(first.instructions_json).items()])
        require_valid(plan)
        undo = _create(ctx, session, actor, plan, [(r.instance_id, r.version_after) for r in rows],
                       undoes=batch_id)
        session.execute(update(MigrationBatch).where(MigrationBatch.id == batch_id).values(undone_by=undo))
    return _report(advance(ctx, actor, undo, limit=None))


def _require_finished(session: Session, batch_id: str) -> None:
    """A batch still under way is finished first: an undo would race its next steps."""
    batch = session.get(MigrationBatch, batch_id)
    if batch is not None and batch.finished_at is None:
        raise Conflict("迁移批次尚未执行完，请先继续执行再撤销 / the migration batch has not finished yet")


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
        with ctx.db.command() as session:
            _audit(ctx, session, actor, target, details, success=False)
        raise refusal


def _create(ctx: AppContext, session: Session, actor: Actor, plan: Plan,
            instances: list[tuple[str, int | None]], undoes: str | None = None) -> str:
    """The batch's row; each instance with the row version it must still be at (None: any)."""
    batch_id = instance_store.new_id()
    session.add(MigrationBatch(
        id=batch_id, process_key=plan.source.key, source_definition_id=plan.source.id,
        target_definition_id=plan.target.id, instructions_json=json.dumps(plan.mapping),
        instances_json=json.dumps(instances), total=len(instances), position=0, migrated=0,
        skipped_json="[]", undoes=undoes, created_by=actor.id, created_at=ctx.now(), version=1,
    ))
    return batch_id


def _batch(session: Session, batch_id: str) -> MigrationBatch:
    batch = session.get(MigrationBatch, batch_id)
    if batch is None:
        raise NotFound(f"迁移批次 {batch_id} 不存在 / no migration batch {batch_id}",
                       [{"field": "batchId", "message": f"迁移批次 {batch_id} 不存在"}])
    return batch


def _plan(session: Session, batch: MigrationBatch) -> Plan:
    return Plan(session.get(ProcessDefinition, batch.source_definition_id),
                session.get(ProcessDefinition, batch.target_definition_id),
                [Instruction(s, t) for s, t in json.loads(batch.instructions_json).items()])


@dataclass(frozen=True)
class _Move:
    instance_id: str
    expected_version: int | None
    batch: str
    undoes: str | None
    position: int


def _step(ctx: AppContext, actor: Actor, batch_id: str, plan: Plan) -> bool:
    """Move the batch's next instance, or record why it cannot move; False when none is left."""
    try:
        with ctx.db.command() as session:
            move = _take_next(session, batch_id)
            if move is None:
                return False
            _move_one(ctx, session, actor, plan, move)
            session.execute(update(MigrationBatch).where(MigrationBatch.id == batch_id)
                            .values(migrated=MigrationBatch.migrated + 1))
        return True
    except engine_migration.MigrationBlocked as blocked:
        blockers = blocked.blockers
    except ServiceError as error:
        blockers = [engine_migration.Blocker(None, reason_of(error), error.message)]
    # The unit of work that took the instance rolled back: take it again to record the skip.
    with ctx.db.command() as session:
        skipped = {"processInstanceId": move.instance_id, "reasons": [blocker_json(b) for b in blockers]}
        _take_next(session, batch_id, at=move.position, skipped=skipped)
    return True


def _take_next(session: Session, batch_id: str, at: int | None = None,
               skipped: dict | None = None) -> _Move | None:
    """The batch's next instance (the one at position `at`, if given), its position advanced
    under the row's version; `skipped` is recorded with it."""
    batch = session.get(MigrationBatch, batch_id)
    position, seen = batch.position, batch.version
    if position >= batch.total or at not in (None, position):
        return None
    values = {"position": position + 1, "version": seen + 1}
    if skipped is not None:
        values["skipped_json"] = json.dumps(json.loads(batch.skipped_json) + [skipped])
    if session.execute(update(MigrationBatch).where(
        MigrationBatch.id == batch_id, MigrationBatch.version == seen,
    ).values(**values)).rowcount != 1:
        raise BatchBusy()
    instance_id, expected = json.loads(batch.instances_json)[position]
    return _Move(instance_id, expected, batch_id, batch.undoes, position)


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
        raise engine_migration.MigrationBlocked(not_movable(session.get(ProcessInstance, move.instance_id), plan))
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


def _finish(ctx: AppContext, actor: Actor, batch_id: str, plan: Plan) -> None:
    """Once every instance was tried: the batch's end and its one audit entry (written by
    whichever request got there first)."""
    with ctx.db.command() as session:
        batch = session.get(MigrationBatch, batch_id)
        if batch.position < batch.total or batch.finished_at is not None:
            return
        if session.execute(update(MigrationBatch).where(
            MigrationBatch.id == batch_id, MigrationBatch.finished_at.is_(None),
        ).values(finished_at=ctx.now())).rowcount != 1:
            return
        report = _report(_status(session, batch))
        details = dict(report, instructions=plan.mapping, **({"undoes": batch.undoes} if batch.undoes else {}))
        _audit(ctx, session, actor, batch_target(plan), details, success=True)


def _status(session: Session, batch: MigrationBatch) -> dict:
    moved = set(session.scalars(select(MigratedInstance.instance_id).where(
        MigratedInstance.batch_id == batch.id)))
    skipped = json.loads(batch.skipped_json)
    return {
        "batchId": batch.id, "processKey": batch.process_key,
        "sourceVersion": _version(session, batch.source_definition_id),
        "targetVersion": _version(session, batch.target_definition_id),
        "total": batch.total, "processed": batch.position, "migratedCount": batch.migrated,
        "skippedCount": len(skipped), "finished": batch.finished_at is not None,
        "migrated": [i for i, _version in json.loads(batch.instances_json) if i in moved],
        "skipped": skipped, "createdBy": batch.created_by, "createdAt": batch.created_at,
        "undoes": batch.undoes, "undoneBy": batch.undone_by,
        "businessKeys": _business_keys(session, [i for i, _version in json.loads(batch.instances_json)]),
    }


def _business_keys(session: Session, instance_ids: list[str]) -> dict[str, str | None]:
    """What people call the batch's instances (their business keys), by instance id."""
    return dict(session.execute(select(ProcessInstance.id, ProcessInstance.business_key)
                                .where(ProcessInstance.id.in_(instance_ids))).all()) if instance_ids else {}


def _version(session: Session, definition_id: str) -> int | None:
    definition = session.get(ProcessDefinition, definition_id)
    return definition.version if definition else None


def _report(status: dict) -> dict:
    """The batch's report as Camunda's execute answers it here: moved and skipped instances."""
    return {key: status[key] for key in ("batchId", "migrated", "skipped")}


def _audit(ctx: AppContext, session: Session, actor: Actor, target: str, details: dict,
           success: bool) -> None:
    audit.record(ctx, session, "instance.migrate", user_id=actor.id, success=success,
                 target=target, source=actor.source, details=details)
