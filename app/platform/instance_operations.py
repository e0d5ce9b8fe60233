"""An administrator's repairs of a running instance (Camunda 7's cockpit operations):
suspend and resume, move a token (process-instance modification, of one instance or of
many), give a job another due
date, set or remove process variables. Each is an authorization decision here, audited with who, when and the reason,
refused or done; the instance's history says what happened to it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.clock import as_utc, format_camunda, parse_client_datetime
from app.engine.errors import EngineError, TaskNotReady
from app.models import ExternalTask, InstanceState, Job, JobType, ProcessDefinition, ProcessInstance, Task

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.identity import Actor
from app.platform import history, instance_store, job_definition_states, permissions
from app.platform.messages import ACTOR_VARIABLES
from app.platform.process_instances import advance, delete_instance, take_instance

REASON_LIMIT = 500
# What a token may be moved to: a step or an event a token can wait at or pass through.
MOVE_TARGET_TYPES = frozenset({
    "userTask", "serviceTask", "businessRuleTask", "scriptTask", "sendTask", "receiveTask",
    "manualTask", "task", "intermediateCatchEvent", "intermediateThrowEvent", "endEvent",
})
# Instances one modification command moves at most: each is loaded and saved in it.
MAX_MODIFIED_INSTANCES = 1000
MOVE_SHAPE = ("只支持一次移动：取消一个活动（cancel）并在另一个活动前启动（startBeforeActivity） / "
              "one cancel and one startBeforeActivity instruction are supported")


def may_operate(actor: Actor) -> bool:
    """Whether the cockpit offers the operations (the rule that refuses them decides)."""
    return permissions.instance_operation_refusal(actor) is None


@dataclass(frozen=True)
class MoveChoices:
    """Where a token may be moved from (the activities it waits at) and to, as (id, name)."""

    sources: list[tuple[str, str]]
    targets: list[tuple[str, str]]


def move_choices(definition: ProcessDefinition, active_ids: list[str]) -> MoveChoices:
    elements = json.loads(definition.elements_json)
    named = [(element_id, element["name"] or element_id) for element_id, element in elements.items()]
    return MoveChoices(
        [(i, name) for i, name in named if i in active_ids and elements[i]["type"] != "boundaryEvent"],
        [(i, name) for i, name in named if elements[i]["type"] in MOVE_TARGET_TYPES])


def set_suspended(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                  suspended, reason: str | None = None, reason_required: bool = False) -> None:
    """Suspend (挂起) or resume (恢复) a running instance with its tasks and jobs."""
    action = "instance.suspend" if suspended is True else "instance.resume"
    require_operator(ctx, session, actor, action, instance_id, {"reason": reason})
    check_suspended(suspended)
    reason = _reason(reason, required=reason_required)
    instance = _running(session, actor, instance_id)
    if instance.suspended == suspended:
        raise Conflict("流程实例已处于挂起状态 / already suspended" if suspended
                       else "流程实例未挂起 / the instance is not suspended")
    _suspend(ctx, session, actor, instance, suspended, reason)
    audit.record(ctx, session, action, user_id=actor.id, target=instance.id, source=actor.source,
                 details={"reason": reason, "businessKey": instance.business_key})


def suspend_running(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                    suspended: bool) -> None:
    """Suspend or resume one running instance of a definition being suspended or resumed
    (its caller decided and audits); one already so, or ended meanwhile, is left alone."""
    instance = take_instance(session, actor, instance_id)
    if instance.state == InstanceState.ACTIVE and instance.suspended != suspended:
        _suspend(ctx, session, actor, instance, suspended, None)


def _suspend(ctx: AppContext, session: Session, actor: Actor, instance: ProcessInstance,
             suspended: bool, reason: str | None) -> None:
    instance.suspended = suspended
    session.execute(update(Task).where(Task.instance_id == instance.id).values(suspended=suspended))
    # A job whose definition is suspended stays suspended when its instance resumes.
    jobs = Job.instance_id == instance.id
    session.execute(update(Job).where(jobs if suspended else jobs & ~job_definition_states.held(Job))
                    .values(suspended=suspended))
    session.execute(update(ExternalTask).where(ExternalTask.instance_id == instance.id)
                    .values(suspended=suspended))
    event = "instance_suspended" if suspended else "instance_resumed"
    history.append(session, instance.id, instance.process_key,
                   [history.event(event, actor.id, reason=reason)], ctx.now())


def cancel(ctx: AppContext, session: Session, actor: Actor, instance_id: str, reason) -> None:
    """Terminate (终止) a running case from the cockpit: the reason is asked for."""
    delete_instance(ctx, session, actor, instance_id, _reason(reason, required=True))


def move_token(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
               instructions, annotation: str | None = None, reason_required: bool = False) -> None:
    """Cancel the token at one activity and start before another (移动令牌)."""
    details = {"instructions": instructions, "reason": annotation}
    require_operator(ctx, session, actor, "instance.modify", instance_id, details)
    source, target = _move_of(instructions)
    reason = _reason(annotation, field="annotation", required=reason_required)
    _running(session, actor, instance_id)
    try:
        _move(ctx, session, actor, instance_id, source, target, reason)
    except EngineError as error:
        raise BadRequest(str(error), [{"field": "instructions", "message": str(error).split(" / ")[0]}]) from error
    audit.record(ctx, session, "instance.modify", user_id=actor.id, target=instance_id, source=actor.source,
                 details={"cancel": source, "startBeforeActivity": target, "reason": reason})


def move_tokens(ctx: AppContext, session: Session, actor: Actor, definition_id, instructions,
                instance_ids: list[str], annotation: str | None = None) -> int:
    """The same move on running instances of one definition (Camunda's
    `/modification/execute`), all of them or none: one command. Returns how many moved."""
    details = {"processDefinitionId": definition_id, "instructions": instructions, "reason": annotation}
    require_operator(ctx, session, actor, "instances.modify", str(definition_id)[:200], details)
    if not isinstance(definition_id, str) or not definition_id:
        raise BadRequest("缺少流程定义 / processDefinitionId is required",
                         [{"field": "processDefinitionId", "message": "缺少流程定义"}])
    source, target = _move_of(instructions)
    reason = _reason(annotation, field="annotation")
    chosen = sorted(set(instance_ids))
    if not 0 < len(chosen) <= MAX_MODIFIED_INSTANCES:
        raise _not_chosen(f"应指定 1 到 {MAX_MODIFIED_INSTANCES} 个运行中的流程实例",
                          f"name 1 to {MAX_MODIFIED_INSTANCES} running process instances")
    for instance_id in chosen:
        _move_one_of(ctx, session, actor, definition_id, instance_id, source, target, reason)
    audit.record(ctx, session, "instances.modify", user_id=actor.id, target=definition_id, source=actor.source,
                 details={"cancel": source, "startBeforeActivity": target, "reason": reason,
                          "processInstances": len(chosen)})
    return len(chosen)


def _move_one_of(ctx, session, actor: Actor, definition_id: str, instance_id: str, source: str, target: str,
                 reason: str | None) -> None:
    try:
        instance = _running(session, actor, instance_id)
        if instance.definition_id != definition_id:
            raise _not_chosen(f"流程实例 {instance_id} 不属于流程定义 {definition_id}",
                              f"process instance {instance_id} is not of {definition_id}")
        _move(ctx, session, actor, instance_id, source, target, reason)
    except (NotFound, EngineError) as error:
        raise _not_chosen(f"流程实例 {instance_id}：{str(error).split(' / ')[0]}",
                          f"process instance {instance_id}: {str(error).split(' / ')[-1]}") from error


def _move(ctx, session, actor: Actor, instance_id: str, source: str, target: str, reason: str | None) -> None:
    loaded = instance_store.load(ctx, session, instance_id)
    loaded.execution.move_token(source, target)
    loaded.record("token_moved", actor.id, activity_id=target, source=source, reason=reason)
    advance(ctx, session, loaded, actor)


def _not_chosen(message_zh: str, message_en: str) -> BadRequest:
    return BadRequest(f"{message_zh} / {message_en}", [{"field": "processInstanceIds", "message": message_zh}])


def modify_variables(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                     values: dict, types: dict, deletions: list) -> None:
    """Set `values` (declared `types`) and remove `deletions` on a running instance: what a
    form would have checked is the administrator's to answer for, so it is audited by name."""
    details = {"set": sorted(values), "deleted": deletions}
    require_operator(ctx, session, actor, "instance.variables", instance_id, details)
    check_deletions(deletions)
    reserved = sorted((set(values) | set(deletions)) & ACTOR_VARIABLES)
    if reserved:
        raise BadRequest(f"变量 {reserved[0]} 由系统记录，不能修改 / variable {reserved[0]} is the platform's",
                         [{"field": name, "message": "由系统记录，不能修改"} for name in reserved])
    _running(session, actor, instance_id)
    loaded = instance_store.load(ctx, session, instance_id)
    loaded.execution.set_variables(values, deletions)
    loaded.types.update(types)
    loaded.record("variables_modified", actor.id, **details)
    advance(ctx, session, loaded, actor)
    audit.record(ctx, session, "instance.variables", user_id=actor.id, target=instance_id,
                 source=actor.source, details=details)


def check_deletions(deletions) -> None:
    if not isinstance(deletions, list) or not all(isinstance(name, str) and name for name in deletions):
        raise BadRequest("deletions 应为变量名列表 / deletions must be a list of variable names",
                         [{"field": "deletions", "message": "应为变量名列表"}])


def set_job_due_date(ctx: AppContext, session: Session, actor: Actor, job_id: str, due,
                     reason: str | None = None, reason_required: bool = False) -> None:
    """Another due date for a job: a timer then fires at it, a failed call is retried at it."""
    require_operator(ctx, session, actor, "job.duedate", job_id, {"duedate": due, "reason": reason})
    when = _due_date(due)
    reason = _reason(reason, required=reason_required)
    job = _job(session, job_id)
    before = format_camunda(job.due_at)
    if job.job_type == JobType.TIMER:
        def move(execution) -> datetime:
            execution.set_timer_due(job.execution_id, when)
            return when
        _move_timer(ctx, session, actor, job, move)
    else:
        job.due_at = when
    _audit_due_date(ctx, session, actor, job, before, when, reason=reason)


def recalculate_job_due_date(ctx: AppContext, session: Session, actor: Actor, job_id: str,
                             creation_date_based: bool) -> datetime:
    """A timer's due date counted again (Camunda's recalculate): its expression evaluated on
    today's variables and calendar from when the timer was armed (`creation_date_based`) or
    from now. After the holidays change, a deadline in working days moves with them."""
    require_operator(ctx, session, actor, "job.duedate", job_id, {"recalculate": True})
    job = _job(session, job_id)
    if job.job_type != JobType.TIMER:
        raise BadRequest("只有定时器作业的期限按其定义重新计算 / only a timer job's due date is recalculated",
                         [{"field": "id", "message": "不是定时器作业"}])
    before = format_camunda(job.due_at)
    base = job.created_at if creation_date_based else ctx.now()
    counted_from = "creation" if creation_date_based else "now"
    when = _move_timer(ctx, session, actor, job,
                       lambda execution: execution.recalculate_timer_due(job.execution_id, base),
                       recalculated_from=counted_from)
    _audit_due_date(ctx, session, actor, job, before, when, recalculated=counted_from)
    return when


def _job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"作业 {job_id} 不存在 / job not found")
    return job


def _move_timer(ctx: AppContext, session: Session, actor: Actor, job: Job, move, **details) -> datetime:
    """The engine's timer holds the due instant (`move` sets it on the workflow and returns
    it); the job row follows it at the save."""
    loaded = instance_store.load(ctx, session, job.instance_id)
    try:
        when = move(loaded.execution)
    except TaskNotReady as error:
        raise Conflict("该定时器已不再等待 / the timer no longer waits") from error
    except EngineError as error:
        raise BadRequest(str(error), [{"field": "id", "message": str(error).split(" / ")[0]}]) from error
    loaded.record("timer_rescheduled", actor.id, activity_id=job.activity_id, due=format_camunda(when), **details)
    instance_store.save(ctx, session, loaded, actor.id)
    return when


def _audit_due_date(ctx: AppContext, session: Session, actor: Actor, job: Job, before: str | None,
                    when: datetime, **details) -> None:
    audit.record(ctx, session, "job.duedate", user_id=actor.id, target=job.id, source=actor.source,
                 details={"processInstanceId": job.instance_id, "activityId": job.activity_id,
                          "from": before, "to": format_camunda(when), **details})


def check_suspended(suspended) -> None:
    """A suspension's `suspended`: true or false, nothing else (no default either way)."""
    if not isinstance(suspended, bool):
        raise BadRequest("suspended 应为 true 或 false / suspended must be a boolean",
                         [{"field": "suspended", "message": "应为 true 或 false"}])


def require_operator(ctx: AppContext, session: Session, actor: Actor, action: str, target: str,
                     details: dict) -> None:
    """Only whoever may repair cases; a refusal is audited."""
    refusal = permissions.instance_operation_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=target,
                             source=actor.source, details=details)
        raise refusal


def _running(session: Session, actor: Actor, instance_id: str) -> ProcessInstance:
    instance = take_instance(session, actor, instance_id)
    instance_store.lock_instance(session, instance.id)
    session.refresh(instance)
    if instance.state != InstanceState.ACTIVE:
        raise NotFound(f"流程实例 {instance_id} 已结束 / process instance not found (it has ended)")
    return instance


def _move_of(instructions) -> tuple[str, str]:
    """(cancelled activity, activity started before) of a Camunda modification body."""
    shape = BadRequest(MOVE_SHAPE, [{"field": "instructions", "message": MOVE_SHAPE.split(" / ")[0]}])
    if not isinstance(instructions, list) or not all(isinstance(i, dict) for i in instructions):
        raise shape
    if sorted(str(i.get("type")) for i in instructions) != ["cancel", "startBeforeActivity"]:
        raise shape
    missing = [{"field": f"instructions[{n}].activityId", "message": "缺少活动标识"}
               for n, i in enumerate(instructions) if not isinstance(i.get("activityId"), str) or not i["activityId"]]
    if missing:
        raise BadRequest("指令缺少活动标识 / an instruction lacks its activityId", missing)
    by_type = {i["type"]: i["activityId"] for i in instructions}
    if by_type["cancel"] == by_type["startBeforeActivity"]:
        raise BadRequest("取消与启动的是同一活动 / cancel and start name the same activity",
                         [{"field": "instructions", "message": "取消与启动的是同一活动"}])
    return by_type["cancel"], by_type["startBeforeActivity"]


def _reason(text, field: str = "reason", required: bool = False) -> str | None:
    if text is not None and (not isinstance(text, str) or len(text.strip()) > REASON_LIMIT):
        raise BadRequest(f"{field} 应为不超过 {REASON_LIMIT} 字的文本 / {field} must be a short text",
                         [{"field": field, "message": f"应为不超过 {REASON_LIMIT} 字的文本"}])
    reason = text.strip() if text else None
    if required and not reason:
        raise BadRequest("请填写操作原因 / a reason is required", [{"field": field, "message": "请填写操作原因"}])
    return reason


def _due_date(value) -> datetime:
    problem = [{"field": "duedate", "message": "应为日期时间，如 2026-12-31T17:00:00.000+0800"}]
    if not isinstance(value, str):
        raise BadRequest("duedate 应为日期时间 / duedate must be a date-time", problem)
    try:
        return as_utc(parse_client_datetime(value))
    except ValueError as error:
        raise BadRequest("duedate 应为日期时间 / duedate must be a date-time", problem) from error
