"""Job definitions (Camunda's /job-definition): what may put a job in the job table, read
from the deployed diagrams: a timer the engine arms, a service task whose failing handler
is retried. One per process key, activity and kind, named as /job names its jobs'
definition (`<process key>:<activity>:<timer|service>`), its process definition the newest
version that has it; few enough to be filtered and sorted here rather than in SQL.

Suspending one makes its new jobs wait, created suspended (`job_definition_states`), and,
with `includeJobs`, its jobs now; activating it lets new ones run, and its jobs with
`includeJobs` where their instance runs. Whoever may repair cases, audited. The cockpit's
readers read them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.engine.model_summary import job_definitions as diagram_job_definitions
from app.models import Job, JobType, ProcessDefinition, ProcessInstance

from . import group_choice, instance_operations, job_definition_states, jobs
from . import query_criteria as qc
from .permissions import cockpit_refusal, enforce, job_retries_refusal
from .query_criteria import Query


@dataclass(frozen=True)
class JobDefinition:
    id: str
    definition_id: str
    deployment_id: str
    process_key: str
    activity_id: str
    kind: str
    definition_type: str
    configuration: str
    suspended: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return self.process_key, self.activity_id, self.kind


class _Test(qc.Criterion):
    """A filter tested on each job definition: `test(definition, value)`; a flag only
    restricts when true, as Camunda's flags do."""

    def __init__(self, kind: str, test):
        self.kind, self.test = kind, test


CRITERIA: dict[str, qc.Criterion] = {
    "jobDefinitionId": _Test("text", lambda d, v: d.id == v),
    "activityIdIn": _Test("list", lambda d, v: d.activity_id in v),
    "processDefinitionId": _Test("text", lambda d, v: d.definition_id == v),
    "processDefinitionKey": _Test("text", lambda d, v: d.process_key == v),
    "jobType": _Test("text", lambda d, v: d.definition_type == v),
    "jobConfiguration": _Test("text", lambda d, v: d.configuration == v),
    "active": _Test("flag", lambda d, _v: not d.suspended),
    "suspended": _Test("flag", lambda d, _v: d.suspended),
    # No job definition here overrides its jobs' priority, nor belongs to a tenant.
    "withOverridingJobPriority": _Test("flag", lambda _d, _v: False),
    "tenantIdIn": _Test("list", lambda _d, _v: False),
    "withoutTenantId": _Test("flag", lambda _d, _v: True),
    "includeJobDefinitionsWithoutTenantId": _Test("flag", lambda _d, _v: True),
}
SORTS = {
    "jobDefinitionId": lambda d: d.id, "activityId": lambda d: d.activity_id,
    "processDefinitionId": lambda d: d.definition_id, "processDefinitionKey": lambda d: d.process_key,
    "jobType": lambda d: d.definition_type, "jobConfiguration": lambda d: d.configuration, "tenantId": lambda d: "",
}
GROUPS = ("jobDefinitionId", "processDefinitionId", "processDefinitionKey")


def job_definitions(ctx: AppContext, session: Session, actor: Actor, q: Query = Query()) -> list[JobDefinition]:
    """The job definitions `q` asks for, in its order (by id otherwise)."""
    enforce(cockpit_refusal(actor))
    found = [d for d in _all(ctx, session) if all(_passes(d, name, value) for name, value in q.criteria.items())]
    found.sort(key=lambda d: d.id)
    for name, descending in reversed(q.sorting):
        found.sort(key=SORTS[name], reverse=descending)
    return found


def job_definition(ctx: AppContext, session: Session, actor: Actor, definition_id: str) -> JobDefinition:
    found = job_definitions(ctx, session, actor, Query({"jobDefinitionId": definition_id}))
    if not found:
        raise NotFound(f"作业定义 {definition_id} 不存在 / Job Definition with id {definition_id} does not exist")
    return found[0]


def chosen(ctx: AppContext, session: Session, actor: Actor, body: dict) -> list[JobDefinition]:
    """The job definitions a suspension body names: exactly one of GROUPS."""
    group = group_choice.one_of(body, GROUPS)
    found = job_definitions(ctx, session, actor, Query({group: str(body[group])}))
    if not found:
        raise NotFound(f"没有 {group} 为 {body[group]} 的作业定义 / no job definition with {group} {body[group]}")
    return found


def set_suspended(ctx: AppContext, session: Session, actor: Actor, definitions: list[JobDefinition], suspended,
                  include_jobs=None, execution_date=None) -> None:
    """Suspend (or activate) job definitions and, with `include_jobs`, their jobs now."""
    action = "job_definition.suspend" if suspended is True else "job_definition.activate"
    target = ",".join(d.id for d in definitions)[:200]
    instance_operations.require_operator(ctx, session, actor, action, target, {})
    instance_operations.check_suspended(suspended)
    if execution_date is not None:
        raise BadRequest("不支持定时挂起或激活 / a suspension at a later date (executionDate) is not supported",
                         [{"field": "executionDate", "message": "不支持定时挂起或激活"}])
    if include_jobs not in (None, True, False):
        raise BadRequest("includeJobs 应为 true 或 false / includeJobs must be true or false",
                         [{"field": "includeJobs", "message": "应为 true 或 false"}])
    now = ctx.now()
    for definition in definitions:
        job_definition_states.set_state(session, definition.key, suspended, actor.id, now)
        if include_jobs:
            session.execute(update(Job).where(_jobs_of(definition), _changeable(suspended)).values(suspended=suspended))
    audit.record(ctx, session, action, user_id=actor.id, target=target, source=actor.source,
                 details={"jobDefinitions": [d.id for d in definitions], "includeJobs": bool(include_jobs)})


def set_retries(ctx: AppContext, session: Session, actor: Actor, definition_id: str, retries) -> int:
    """Give the failed jobs of a job definition (no retries left) `retries`; how many."""
    definition = job_definition(ctx, session, actor, definition_id)
    enforce(job_retries_refusal(actor))
    jobs.check_retries(retries)
    failed = list(session.scalars(select(Job.id).where(_jobs_of(definition), Job.retries == 0)))
    return jobs.set_retries_of_many(ctx, session, actor, failed, retries) if failed else 0


def _passes(definition: JobDefinition, name: str, value) -> bool:
    criterion = CRITERIA[name]
    if criterion.kind == "flag" and not value:
        return True
    return criterion.test(definition, value)


def _jobs_of(definition: JobDefinition):
    return ((Job.process_key == definition.process_key) & (Job.activity_id == definition.activity_id)
            & (Job.job_type == JobType(definition.kind)))


def _changeable(suspended: bool):
    """Every job is suspended; a job is activated only where its instance runs."""
    if suspended:
        return true()
    return Job.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.suspended.is_(False)))


def _all(ctx: AppContext, session: Session) -> list[JobDefinition]:
    suspended = job_definition_states.suspended_keys(session)
    found: dict[str, JobDefinition] = {}
    rows = session.execute(select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.deployment_id)
                           .order_by(ProcessDefinition.key, ProcessDefinition.version.desc()))
    for definition_id, key, deployment_id in rows:
        for info in _in_diagram(ctx, session, definition_id, key):
            name = f"{key}:{info.activity_id}:{info.kind}"
            if name not in found:
                found[name] = JobDefinition(name, definition_id, deployment_id, key, info.activity_id, info.kind,
                                            info.definition_type, info.configuration,
                                            (key, info.activity_id, info.kind) in suspended)
    return list(found.values())


def _in_diagram(ctx: AppContext, session: Session, definition_id: str, key: str) -> list:
    """A deployed definition's job definitions, read from its diagram once (it never changes)."""
    cache = ctx.caches.setdefault("job_definitions", {})
    if definition_id not in cache:
        content = session.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == definition_id))
        cache[definition_id] = diagram_job_definitions(content, key)
    return cache[definition_id]
