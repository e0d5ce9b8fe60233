"""Suspending jobs (Camunda's job suspension): the executor leaves a suspended job alone, a
timer waits and a failed call is not retried, until it is activated. One job, or every job
of a job definition, a process definition (by id or by key) or an instance. A job of a
suspended instance stays suspended: resuming the instance activates its jobs, as in Camunda."""
from __future__ import annotations

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Suspended
from app.core.identity import Actor
from app.models import Job, JobType, ProcessInstance
from app.platform import group_choice, instance_operations, queries
from app.platform.query_criteria import Query


def suspend_one(ctx: AppContext, session: Session, actor: Actor, job_id: str, suspended) -> None:
    _require_operator(ctx, session, actor, suspended, job_id)
    job = queries.job_of(session, actor, job_id)
    if not suspended and session.get(ProcessInstance, job.instance_id).suspended:
        raise Suspended()
    job.suspended = suspended
    _audit(ctx, session, actor, suspended, job.id, [job.id])


def suspend_group(ctx: AppContext, session: Session, actor: Actor, body: dict) -> None:
    """`body`: `suspended` and exactly one of jobDefinitionId, processDefinitionId,
    processDefinitionKey, processInstanceId."""
    target = ",".join(f"{name}={body[name]}" for name in _GROUPS if body.get(name) is not None)[:200]
    _require_operator(ctx, session, actor, body.get("suspended"), target)
    group = group_choice.one_of(body, _GROUPS)
    chosen = _GROUPS[group](body[group])
    query, parameters = queries.jobs_query(actor, Query())
    jobs = session.scalars(query.where(chosen, _activatable(body["suspended"])), parameters).all()
    for job in jobs:
        job.suspended = body["suspended"]
    _audit(ctx, session, actor, body["suspended"], target, sorted(job.id for job in jobs))


def _activatable(suspended: bool):
    """Every job is suspended; a job is activated only where its instance runs."""
    if suspended:
        return true()
    return Job.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.suspended.is_(False)))


def _job_definition(value):
    """Our job definition ids are `<process key>:<activity id>:<timer|service>` (`shapes.job`)."""
    parts = str(value).split(":")
    if len(parts) != 3 or parts[2] not in {t.value for t in JobType}:
        raise BadRequest("jobDefinitionId 应为 流程键:活动:timer|service / jobDefinitionId must be "
                         "<process key>:<activity>:timer|service",
                         [{"field": "jobDefinitionId", "message": "格式应为 流程键:活动:timer|service"}])
    key, activity, kind = parts
    return (Job.process_key == key) & (Job.activity_id == activity) & (Job.job_type == JobType(kind))


_GROUPS = {
    "jobDefinitionId": _job_definition,
    "processDefinitionId": lambda value: Job.definition_id == str(value),
    "processDefinitionKey": lambda value: Job.process_key == str(value),
    "processInstanceId": lambda value: Job.instance_id == str(value),
}


def _require_operator(ctx: AppContext, session: Session, actor: Actor, suspended, target: str) -> None:
    instance_operations.require_operator(ctx, session, actor, _action(suspended), target, {})
    instance_operations.check_suspended(suspended)


def _audit(ctx, session, actor: Actor, suspended: bool, target: str, job_ids: list[str]) -> None:
    audit.record(ctx, session, _action(suspended), user_id=actor.id, target=target, source=actor.source,
                 details={"jobs": job_ids})


def _action(suspended) -> str:
    return "job.suspend" if suspended is True else "job.activate"
