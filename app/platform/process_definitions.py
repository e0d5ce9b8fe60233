"""Process definitions by id or key: read one, its start form's fields, and suspend or
resume it (no new starts while suspended, its timer starts wait; with `include_instances`
its running instances are suspended or resumed too, as the cockpit's instance operation
does one by one)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Deployment, InstanceState, ProcessDefinition, ProcessInstance

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.platform import instance_operations, permissions, statistics, timer_start
from app.platform.deployment import latest_definition

# camunda:formField types -> the Camunda variable type its value is read back as.
FIELD_VARIABLE_TYPES = {"string": "String", "long": "Long", "boolean": "Boolean", "date": "Date",
                        "enum": "String"}


def by_id(session: Session, definition_id: str) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(f"流程定义 {definition_id} 不存在 / no process definition with id {definition_id}")
    return definition


def latest(session: Session, key: str) -> ProcessDefinition:
    definition = latest_definition(session, key)
    if definition is None:
        raise NotFound(f"流程定义 {key} 不存在 / no process definition with key {key}")
    return definition


def called_definitions(ctx: AppContext, session: Session,
                       definition: ProcessDefinition) -> list[tuple[ProcessDefinition, list[str]]]:
    """What the definition's call activities call, by key: the version its diagram was
    compiled with (the latest deployed by then, since a called process runs inside its
    caller's instance), with the ids of the activities calling it."""
    calling: dict[str, list[str]] = {}
    for activity_id, key in statistics.calls_of(ctx, definition).items():
        calling.setdefault(key, []).append(activity_id)
    caller_deployed = select(Deployment.deployed_at).where(Deployment.id == definition.deployment_id)
    found = []
    for key, activity_ids in sorted(calling.items()):
        called = session.scalar(
            select(ProcessDefinition).join(Deployment, Deployment.id == ProcessDefinition.deployment_id)
            .where(ProcessDefinition.key == key, Deployment.deployed_at <= caller_deployed.scalar_subquery())
            .order_by(ProcessDefinition.version.desc()).limit(1))
        if called is not None:
            found.append((called, sorted(activity_ids)))
    return found


def versions(session: Session, key: str) -> list[ProcessDefinition]:
    return list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version)))


def start_form_fields(definition: ProcessDefinition) -> list[dict]:
    """The `camunda:formField`s of the definition's start events (none: an empty form)."""
    elements = json.loads(definition.elements_json or "{}")
    return [field for element in elements.values() if element.get("type") == "startEvent"
            for field in element.get("formFields", [])]


def start_form_variables(definition: ProcessDefinition) -> dict[str, tuple[object, str]]:
    """Each start form field's default value (None when it has none) and variable type."""
    return {field["id"]: (_default(field), FIELD_VARIABLE_TYPES.get(field["type"], "String"))
            for field in start_form_fields(definition)}


def _default(field: dict):
    """The default as its type reads it; an expression (`${…}`) is evaluated by no start
    form here, so it is no default."""
    text = field.get("defaultValue")
    if text is None or text.startswith("${"):
        return None
    if field["type"] == "boolean":
        return {"true": True, "false": False}.get(text.lower())
    if field["type"] == "long":
        return int(text) if text.lstrip("-").isdigit() else None
    return text


def set_suspended(ctx: AppContext, session: Session, actor: Actor, definitions: list[ProcessDefinition],
                  suspended, include_instances, execution_date=None) -> None:
    """Suspend (or resume) the definitions; Camunda's call is idempotent: a definition
    already so is left as it is, and so are instances already so."""
    action = "definition.suspend" if suspended is True else "definition.resume"
    ids = [d.id for d in definitions]
    refusal = permissions.instance_operation_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=",".join(ids)[:200],
                             source=actor.source, details={"definitions": ids})
        raise refusal
    _check_body(suspended, include_instances, execution_date)
    for definition in definitions:
        definition.suspended = suspended
    moved = _instances(ctx, session, actor, ids, suspended, include_instances is True)
    audit.record(ctx, session, action, user_id=actor.id, target=",".join(ids)[:200], source=actor.source,
                 details={"definitions": ids, "processInstances": moved})


def _check_body(suspended, include_instances, execution_date) -> None:
    instance_operations.check_suspended(suspended)
    if include_instances is not None and not isinstance(include_instances, bool):
        raise BadRequest("includeProcessInstances 应为 true 或 false / includeProcessInstances must be a boolean",
                         [{"field": "includeProcessInstances", "message": "应为 true 或 false"}])
    if execution_date is not None:
        # A delayed suspension would need a job of its own; refusing it beats doing it now.
        raise BadRequest("不支持定时挂起，请省略 executionDate / a delayed suspension (executionDate) is "
                         "not supported", [{"field": "executionDate", "message": "不支持定时挂起"}])


def running_instance_ids(session: Session, definition_ids: list[str]) -> list[str]:
    return list(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.definition_id.in_(definition_ids), ProcessInstance.state == InstanceState.ACTIVE,
    ).order_by(ProcessInstance.id)))


def _instances(ctx: AppContext, session: Session, actor: Actor, definition_ids: list[str],
               suspended: bool, every_one: bool) -> list[str]:
    """Every running instance, or else those still waiting at their start timer: as Camunda
    suspends a definition's timer-start jobs with it, none starts the process meanwhile."""
    if every_one:
        ids = running_instance_ids(session, definition_ids)
    else:
        ids = timer_start.waiting_to_start(session, definition_ids)
    for instance_id in ids:
        instance_operations.suspend_running(ctx, session, actor, instance_id, suspended)
    return list(ids)
