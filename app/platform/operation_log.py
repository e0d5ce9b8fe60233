"""Camunda's user operation log, read from what is already kept rather than written twice:
the audit log's operations on the engine and its users (deployments, definitions,
instances, jobs, external tasks, incidents, users, organizations, shared filters) and the
history's task work (claims, completions, delegations, candidates, attachments, 退回 and
撤回). An entry is one operation, its id its operationId: `a-<audit entry>` or
`h-<history event>`; an operator's note on it is kept beside it (`OperationAnnotation`).

Only what succeeded is an operation (a refused attempt stays in the audit log alone), and
only what a person did (the executor's work is in the job log). Administrators read it, as
they read the audit log it comes from."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import String, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.models import AuditEntry, HistoryEvent, OperationAnnotation, ProcessInstance

from . import query_criteria as qc
from .query_criteria import Query

OPERATOR, TASK_WORKER, ADMIN = "Operator", "TaskWorker", "Admin"
ANNOTATION_MAX = 4000

# audit action -> operation type, entity type, category, the kind of thing its target names
AUDITED = {
    "deployment.create": ("Create", "Deployment", OPERATOR, "deployment"),
    "deployment.delete": ("Delete", "Deployment", OPERATOR, "deployment"),
    "definition.suspend": ("SuspendProcessDefinition", "ProcessDefinition", OPERATOR, "definition"),
    "definition.delete": ("Delete", "ProcessDefinition", OPERATOR, "definition"),
    "definition.resume": ("ActivateProcessDefinition", "ProcessDefinition", OPERATOR, "definition"),
    "instance.delete": ("Delete", "ProcessInstance", OPERATOR, "instance"),
    "instance.suspend": ("Suspend", "ProcessInstance", OPERATOR, "instance"),
    "instance.resume": ("Activate", "ProcessInstance", OPERATOR, "instance"),
    "instance.modify": ("ModifyProcessInstance", "ProcessInstance", OPERATOR, "instance"),
    "instances.modify": ("ModifyProcessInstance", "ProcessInstance", OPERATOR, "definition"),
    "instance.migrate": ("Migrate", "ProcessInstance", OPERATOR, None),
    "instance.variables": ("ModifyVariable", "Variable", OPERATOR, "instance"),
    "instance.cc": ("CarbonCopy", "ProcessInstance", TASK_WORKER, "instance"),
    "participant.add": ("AddParticipant", "ProcessInstance", TASK_WORKER, "instance"),
    "participant.remove": ("RemoveParticipant", "ProcessInstance", TASK_WORKER, "instance"),
    "job.retries": ("SetJobRetries", "Job", OPERATOR, "job"),
    "job.duedate": ("SetDueDate", "Job", OPERATOR, "job"),
    "job.suspend": ("SuspendJob", "Job", OPERATOR, "job"),
    "job.activate": ("ActivateJob", "Job", OPERATOR, "job"),
    "job_definition.suspend": ("SuspendJobDefinition", "JobDefinition", OPERATOR, None),
    "job_definition.activate": ("ActivateJobDefinition", "JobDefinition", OPERATOR, None),
    "external_task.retries": ("SetExternalTaskRetries", "ExternalTask", OPERATOR, "external_task"),
    "external_task.priority": ("SetPriority", "ExternalTask", OPERATOR, "external_task"),
    "incident.annotate": ("SetAnnotation", "Incident", OPERATOR, None),
    "incident.clear_annotation": ("ClearAnnotation", "Incident", OPERATOR, None),
    "operation.annotate": ("SetAnnotation", "OperationLog", OPERATOR, None),
    "operation.clear_annotation": ("ClearAnnotation", "OperationLog", OPERATOR, None),
    "user.create": ("Create", "User", ADMIN, None),
    "user.update": ("Update", "User", ADMIN, None),
    "user.deactivate": ("Deactivate", "User", ADMIN, None),
    "login.unlock": ("Unlock", "User", ADMIN, None),
    "password.change": ("Update", "User", ADMIN, None),
    "password.reset": ("Update", "User", ADMIN, None),
    "user.groups": ("Update", "GroupMembership", ADMIN, None),
    "organization.create": ("Create", "Organization", ADMIN, None),
    "organization.update": ("Update", "Organization", ADMIN, None),
    "filter.create": ("Create", "Filter", TASK_WORKER, None),
    "filter.update": ("Update", "Filter", TASK_WORKER, None),
    "filter.delete": ("Delete", "Filter", TASK_WORKER, None),
}
# history event (by a person) -> operation type, entity type, category
WORKED = {
    "task_claimed": ("Claim", "Task", TASK_WORKER),
    "task_unclaimed": ("Assign", "Task", TASK_WORKER),
    "task_transferred": ("Assign", "Task", TASK_WORKER),
    "task_delegated": ("Delegate", "Task", TASK_WORKER),
    "task_resolved": ("Resolve", "Task", TASK_WORKER),
    "task_completed": ("Complete", "Task", TASK_WORKER),
    "task_returned": ("Return", "Task", TASK_WORKER),
    "candidate_added": ("AddGroupLink", "IdentityLink", TASK_WORKER),
    "candidate_removed": ("DeleteGroupLink", "IdentityLink", TASK_WORKER),
    "attachment_added": ("AddAttachment", "Attachment", TASK_WORKER),
    "instance_withdrawn": ("Withdraw", "ProcessInstance", TASK_WORKER),
    "message_received": ("CorrelateMessage", "ProcessInstance", OPERATOR),
}
# The property an operation changes, and the detail that holds its new value.
PROPERTIES = {
    "task_claimed": ("assignee", "assignee"), "task_unclaimed": ("assignee", "assignee"),
    "task_transferred": ("assignee", "assignee"), "task_delegated": ("delegation", "assignee"),
    "candidate_added": ("candidate", None), "candidate_removed": ("candidate", None),
    "instance.suspend": ("suspensionState", None), "instance.resume": ("suspensionState", None),
    "definition.suspend": ("suspensionState", None), "definition.resume": ("suspensionState", None),
    "job.suspend": ("suspensionState", None), "job.activate": ("suspensionState", None),
    "job.retries": ("retries", "retries"), "job.duedate": ("duedate", "dueDate"),
    "external_task.retries": ("retries", "retries"), "external_task.priority": ("priority", "priority"),
    "user.groups": ("groups", "groups"), "password.change": ("password", None), "password.reset": ("password", None),
}
_NEW_STATES = {"instance.suspend": "suspended", "definition.suspend": "suspended", "job.suspend": "suspended",
               "instance.resume": "active", "definition.resume": "active", "job.activate": "active"}

_A, _H = AuditEntry, HistoryEvent
_TEXT = String()


def _none():
    return cast(null(), _TEXT)


def _by(column, mapping: dict):
    return case(mapping, value=column, else_=_none()) if mapping else _none()


def _named_by_target(kind: str):
    """The audit entry's target where its action names one `kind` of thing, else NULL (an
    operation on several lists them in its target, comma-separated)."""
    actions = [action for action, spec in AUDITED.items() if spec[3] == kind]
    return case((and_(_A.action.in_(actions), ~_A.target.contains(",")), _A.target), else_=_none())


def _link_user(operation_type: str):
    """A candidate link's operation names a user or a group, as its event's details say."""
    return case((_H.details_json.like('%"user":%'), literal(operation_type.replace("Group", "User"))),
                else_=literal(operation_type))


_AUDITED = select(
    (literal("a-") + cast(_A.id, _TEXT)).label("id"), _A.occurred_at.label("occurred_at"),
    _A.user_id.label("user_id"),
    _by(_A.action, {a: s[0] for a, s in AUDITED.items()}).label("operation_type"),
    _by(_A.action, {a: s[1] for a, s in AUDITED.items()}).label("entity_type"),
    _by(_A.action, {a: s[2] for a, s in AUDITED.items()}).label("category"),
    _by(_A.action, {a: p[0] for a, p in PROPERTIES.items() if a in AUDITED}).label("property"),
    _named_by_target("instance").label("instance_id"), _none().label("task_id"),
    _named_by_target("job").label("job_id"), _named_by_target("external_task").label("external_task_id"),
    _named_by_target("deployment").label("deployment_id"), _named_by_target("definition").label("definition_id"),
    _none().label("process_key"), _A.action.label("source"), _A.target.label("target"),
    _A.details_json.label("details_json"),
).where(_A.action.in_(AUDITED), _A.success.is_(True))

_WORKED = select(
    (literal("h-") + cast(_H.id, _TEXT)).label("id"), _H.occurred_at.label("occurred_at"),
    _H.user_id.label("user_id"),
    case({"candidate_added": _link_user("AddGroupLink"), "candidate_removed": _link_user("DeleteGroupLink")},
         value=_H.event_type, else_=_by(_H.event_type, {e: s[0] for e, s in WORKED.items()})).label("operation_type"),
    _by(_H.event_type, {e: s[1] for e, s in WORKED.items()}).label("entity_type"),
    _by(_H.event_type, {e: s[2] for e, s in WORKED.items()}).label("category"),
    _by(_H.event_type, {e: p[0] for e, p in PROPERTIES.items() if e in WORKED}).label("property"),
    _H.instance_id.label("instance_id"), _H.task_id.label("task_id"), _none().label("job_id"),
    _none().label("external_task_id"), _none().label("deployment_id"), _none().label("definition_id"),
    _H.process_key.label("process_key"), _H.event_type.label("source"), _none().label("target"),
    _H.details_json.label("details_json"),
).where(_H.event_type.in_(WORKED), _H.user_id.is_not(None))

_OP = union_all(_AUDITED, _WORKED).subquery("operation")
_DEFINITION = func.coalesce(_OP.c.definition_id, ProcessInstance.definition_id)
_KEY = func.coalesce(_OP.c.process_key, ProcessInstance.process_key)

CRITERIA: dict[str, qc.Criterion] = {
    "deploymentId": qc.Equal(_OP.c.deployment_id), "processDefinitionId": qc.Equal(_DEFINITION),
    "processDefinitionKey": qc.Equal(_KEY), "processInstanceId": qc.Equal(_OP.c.instance_id),
    "taskId": qc.Equal(_OP.c.task_id), "jobId": qc.Equal(_OP.c.job_id),
    "externalTaskId": qc.Equal(_OP.c.external_task_id), "userId": qc.Equal(_OP.c.user_id),
    "operationId": qc.Equal(_OP.c.id), "operationType": qc.Equal(_OP.c.operation_type),
    "entityType": qc.Equal(_OP.c.entity_type), "entityTypeIn": qc.OneOf(_OP.c.entity_type),
    "category": qc.Equal(_OP.c.category), "categoryIn": qc.OneOf(_OP.c.category),
    "property": qc.Equal(_OP.c.property),
    "afterTimestamp": qc.Since(_OP.c.occurred_at), "beforeTimestamp": qc.Until(_OP.c.occurred_at),
}
SORTS = {"timestamp": _OP.c.occurred_at}


@dataclass(frozen=True)
class Operation:
    """One entry as Camunda shows it."""

    id: str
    occurred_at: object
    user_id: str | None
    operation_type: str
    entity_type: str
    category: str
    property: str | None
    new_value: str | None
    instance_id: str | None
    task_id: str | None
    job_id: str | None
    external_task_id: str | None
    deployment_id: str | None
    definition_id: str | None
    process_key: str | None
    annotation: str | None


def operations(session: Session, actor: Actor, q: Query, page: Page) -> list[Operation]:
    query, parameters = operations_query(actor, q)
    ordered = qc.ordered(query, SORTS, q, _OP.c.occurred_at, _OP.c.id)
    return [_operation(row) for row in session.execute(page.apply(ordered), parameters)]


def operations_query(actor: Actor, q: Query) -> tuple:
    """The operations matching `q`, for administrators; and its parameters."""
    _require_reader(actor)
    query = (select(_OP, _DEFINITION.label("found_definition_id"), _KEY.label("found_process_key"),
                    OperationAnnotation.annotation)
             .select_from(_OP.outerjoin(ProcessInstance, ProcessInstance.id == _OP.c.instance_id)
                          .outerjoin(OperationAnnotation, OperationAnnotation.operation_id == _OP.c.id)))
    return qc.filtered(actor, query, CRITERIA, q)


def set_annotation(ctx: AppContext, session: Session, actor: Actor, operation_id: str, annotation) -> None:
    """Note on an operation what an operator found or did about it: administrators, audited."""
    _require_reader(actor)
    if not isinstance(annotation, str) or not 0 < len(annotation) <= ANNOTATION_MAX:
        raise BadRequest(f"annotation 应为 1 到 {ANNOTATION_MAX} 字的文本 / annotation must be a text of 1 to "
                         f"{ANNOTATION_MAX} characters",
                         [{"field": "annotation", "message": f"应为 1 到 {ANNOTATION_MAX} 字的文本"}])
    found = _annotation_of(session, operation_id)
    if found is None:
        session.add(OperationAnnotation(operation_id=operation_id, annotation=annotation, annotated_by=actor.id,
                                        annotated_at=ctx.now()))
    else:
        found.annotation, found.annotated_by, found.annotated_at = annotation, actor.id, ctx.now()
    audit.record(ctx, session, "operation.annotate", user_id=actor.id, target=operation_id, source=actor.source)


def clear_annotation(ctx: AppContext, session: Session, actor: Actor, operation_id: str) -> None:
    _require_reader(actor)
    found = _annotation_of(session, operation_id)
    if found is not None:
        session.delete(found)
    audit.record(ctx, session, "operation.clear_annotation", user_id=actor.id, target=operation_id,
                 source=actor.source)


def _annotation_of(session: Session, operation_id: str) -> OperationAnnotation | None:
    """The operation's note (None: it has none); NotFound when there is no such operation."""
    if session.scalar(select(_OP.c.id).where(_OP.c.id == operation_id)) is None:
        raise NotFound(f"操作记录 {operation_id} 不存在 / no user operation log entry with id {operation_id}")
    return session.get(OperationAnnotation, operation_id)


def _require_reader(actor: Actor) -> None:
    if not actor.in_any(audit.READERS):
        raise Forbidden("只有系统管理员可以查看操作日志 / only administrators may read the user operation log")


def _operation(row) -> Operation:
    details = json.loads(row.details_json) if row.details_json else {}
    return Operation(
        id=row.id, occurred_at=row.occurred_at, user_id=row.user_id, operation_type=row.operation_type,
        entity_type=row.entity_type, category=row.category, property=row.property,
        new_value=_new_value(row.source, row.target, details), instance_id=row.instance_id, task_id=row.task_id,
        job_id=row.job_id, external_task_id=row.external_task_id, deployment_id=row.deployment_id,
        definition_id=row.found_definition_id, process_key=row.found_process_key, annotation=row.annotation,
    )


def _new_value(source: str, target: str | None, details: dict) -> str | None:
    """What the operation set, as text: a new state, a detail, a link's user or group, or
    the user, organization, filter or incident it was done to."""
    if source in _NEW_STATES:
        return _NEW_STATES[source]
    if source in ("candidate_added", "candidate_removed"):
        return details.get("user") or details.get("group")
    key = PROPERTIES.get(source, (None, None))[1]
    if key is not None:
        value = details.get(key)
        return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if source in AUDITED and AUDITED[source][3] is None:
        return target
    return None
