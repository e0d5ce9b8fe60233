"""Migration of process instances between versions, in Camunda 7's shape: generate,
validate (with a dry run of the instances), execute (and executeAsync)."""
from __future__ import annotations

from flask import g, jsonify

from app.core.errors import BadRequest
from app.platform import done_batches, migration, migration_execution

from . import blueprint, context, params
from .instance_choice import chosen_instance_ids
from .shapes import batch


@blueprint.post("/migration/generate")
def generate_plan():
    body = params.json_body()
    _keeps_event_triggers(body, "updateEventTriggers")
    overrides = _overrides(body.get("overrides"))
    with context().db.read() as session:
        plan = migration.generate_plan(session, g.actor, body.get("sourceProcessDefinitionId"),
                                       body.get("targetProcessDefinitionId"), overrides)
        return jsonify(_plan_json(plan))


@blueprint.post("/migration/validate")
def validate_plan():
    """Camunda's instruction reports, and (beyond Camunda) `instanceReports`: which of the
    `processInstanceIds` (by default the source's running instances) can move, and why not."""
    body = params.json_body()
    ctx = context()
    with ctx.db.read() as session:
        plan = _plan(session, body)
        reports = [{"instruction": _instruction_json(i), "failures": f}
                   for i, f in migration.instruction_reports(plan) if f]
        instances = [] if reports else migration.dry_run(
            ctx, session, g.actor, plan, _instance_ids(body))
        return jsonify({"instructionReports": reports, "variableReports": {},
                        "instanceReports": [r.to_dict() for r in instances]})


@blueprint.post("/migration/execute")
def execute_plan():
    ctx = context()
    plan, instance_ids = _execution(ctx)
    return jsonify(migration_execution.execute(ctx, g.actor, plan, instance_ids))


@blueprint.post("/migration/executeAsync")
def execute_plan_async():
    """The same migration, done in this request as `execute` does it; the batch answered is
    the migration batch itself, already finished (listed with its report and 撤销 where the
    cockpit lists migrations)."""
    ctx = context()
    started = ctx.now()
    plan, instance_ids = _execution(ctx)
    report = migration_execution.execute(ctx, g.actor, plan, instance_ids)
    with ctx.db.command() as session:
        done = done_batches.keep(ctx, session, g.actor, "instance-migration", len(instance_ids), started,
                                 batch_id=report["batchId"])
    return jsonify(batch(done))


def _execution(ctx) -> tuple[migration.Plan, list[str]]:
    """The plan and the instances of an execute's body."""
    body = params.json_body()
    params.known_fields(body, "migrationPlan", "processInstanceIds", "processInstanceQuery", "skipCustomListeners",
                        "skipIoMappings")
    params.boolean_fields(body, "skipCustomListeners", "skipIoMappings")
    plan_body = body.get("migrationPlan")
    if not isinstance(plan_body, dict):
        raise _bad("migrationPlan", "应为迁移计划对象", "must be a migration plan object")
    with ctx.db.read() as session:
        instance_ids = chosen_instance_ids(session, body)
        if not instance_ids:
            raise _bad("processInstanceIds", "应为非空的流程实例 id 列表", "must be a non-empty list of "
                       "process instance ids")
        return _plan(session, plan_body), instance_ids


def _plan(session, body: dict) -> migration.Plan:
    return migration.plan_of(session, g.actor, body.get("sourceProcessDefinitionId"),
                             body.get("targetProcessDefinitionId"), _instructions(body.get("instructions")))


def _instructions(value) -> list[migration.Instruction]:
    if not isinstance(value, list):
        raise _bad("instructions", "应为指令列表", "must be a list of instructions")
    found = []
    for n, item in enumerate(value):
        ids = [item.get(k) if isinstance(item, dict) else None
               for k in ("sourceActivityIds", "targetActivityIds")]
        for key, given in zip(("sourceActivityIds", "targetActivityIds"), ids):
            if not (isinstance(given, list) and len(given) == 1 and isinstance(given[0], str)):
                raise _bad(f"instructions[{n}].{key}", "应为只含一个活动 id 的列表",
                           "must be a list of exactly one activity id")
        _keeps_event_triggers(item, "updateEventTrigger", f"instructions[{n}].")
        found.append(migration.Instruction(ids[0][0], ids[1][0]))
    return found


def _keeps_event_triggers(body: dict, key: str, prefix: str = "") -> None:
    """A moved timer keeps its due time and a message its name: Camunda's re-evaluation of
    the target's event trigger is not offered, and asking for it is refused, not ignored."""
    if body.get(key) not in (None, False):
        raise _bad(f"{prefix}{key}", "不支持：迁移后的定时器保留原到期时间", "is not supported: a migrated "
                   "timer keeps its due time")


def _overrides(value) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _bad("overrides", "应为 源活动 id → 目标活动 id 的对象", "must map source to target activity ids")
    return value


def _instance_ids(body: dict) -> list[str] | None:
    """The instances a validation names (None: the source's running instances)."""
    value = body.get("processInstanceIds")
    if value is None:
        return None
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise _bad("processInstanceIds", "应为非空的流程实例 id 列表", "must be a non-empty list of "
                   "process instance ids")
    return value


def _bad(field: str, message_zh: str, message_en: str) -> BadRequest:
    return BadRequest(f"{field}：{message_zh} / {field} {message_en}",
                      [{"field": field, "message": message_zh}])


def _plan_json(plan: migration.Plan) -> dict:
    return {"sourceProcessDefinitionId": plan.source.id, "targetProcessDefinitionId": plan.target.id,
            "instructions": [_instruction_json(i) for i in plan.instructions], "variables": None}


def _instruction_json(instruction: migration.Instruction) -> dict:
    return {"sourceActivityIds": [instruction.source], "targetActivityIds": [instruction.target],
            "updateEventTrigger": False}
