"""Timer start events: a deployed definition with one waits on its timer in a ready instance.

Camunda schedules a timer-start job when the definition is deployed and removes the job of
the previous version when a newer one is deployed. Here the job belongs to an instance:
deploying a definition with a timer start event starts one instance that waits at that
event (`save` turns the wait into a timer job), and deploying a newer version terminates
the older versions' instances whose start timer has not fired yet. Instances already past
their start event keep running on their version.
"""
from __future__ import annotations

import json

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models import (
    HistoricActivity, InstanceState, Job, JobType, ProcessDefinition, ProcessInstance,
)

from app.core.context import AppContext
from app.core.errors import BadRequest, ServiceError
from app.platform.process_instances import start_process, terminate


class TimerStartRefused(BadRequest):
    """A new definition's timer start event cannot start it; `errors` locates the problem
    the way a refused model is located (the deployment refuses the models with it)."""


def schedule_timer_starts(ctx: AppContext, session: Session,
                          definitions: list[ProcessDefinition]) -> list[ProcessInstance]:
    """After a deployment: retire older waiting timer starts, then arm the new ones."""
    started = []
    for definition in definitions:
        cancel_waiting_timer_starts(ctx, session, definition)
        if definition.has_timer_start:
            started.append(_start_waiting(ctx, session, definition))
    return started


def cancel_waiting_timer_starts(ctx: AppContext, session: Session,
                                newer: ProcessDefinition) -> list[str]:
    """Terminate the instances of older versions of `newer.key` still waiting to start."""
    waiting = session.scalars(
        select(ProcessInstance)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(
            ProcessInstance.process_key == newer.key,
            ProcessInstance.definition_id != newer.id,
            ProcessInstance.state == InstanceState.ACTIVE,
            ProcessDefinition.has_timer_start.is_(True),
            exists().where(Job.instance_id == ProcessInstance.id, Job.job_type == JobType.TIMER),
        )
        .order_by(ProcessInstance.start_time)
    ).all()
    cancelled = []
    for instance in waiting:
        start_ids = _start_event_ids(session, instance.definition_id)
        if _has_moved_past(session, instance.id, start_ids):
            continue
        terminate(ctx, session, instance,
                  f"定时启动已由新版本 {newer.key}:{newer.version} 取代 / "
                  f"timer start superseded by version {newer.version}", None)
        cancelled.append(instance.id)
    return cancelled


def waiting_to_start(session: Session, definition_ids: list[str]) -> list[str]:
    """The instances of these definitions still waiting at their start timer: Camunda's
    timer-start jobs of the definitions."""
    waiting = session.execute(
        select(ProcessInstance.id, ProcessInstance.definition_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.definition_id.in_(definition_ids), ProcessInstance.state == InstanceState.ACTIVE,
               ProcessDefinition.has_timer_start.is_(True))
        .order_by(ProcessInstance.id)
    ).all()
    starts = {definition_id: _start_event_ids(session, definition_id) for _i, definition_id in waiting}
    return [i for i, definition_id in waiting if not _has_moved_past(session, i, starts[definition_id])]


def _start_waiting(ctx: AppContext, session: Session, definition: ProcessDefinition) -> ProcessInstance:
    try:
        return start_process(ctx, session, None, definition_id=definition.id)
    except ServiceError as error:
        message = f"定时启动事件无法启动流程：{error.message}"
        raise TimerStartRefused(
            f"{message} / the timer start event cannot start the process",
            [{"file": definition.resource_name, "field": definition.resource_name,
              "message": message, "message_zh": message,
              "message_en": f"the timer start event cannot start the process: {error.message}",
              "line": None, "element_id": None}],
        ) from error


def _start_event_ids(session: Session, definition_id: str) -> set[str]:
    elements = json.loads(session.scalar(
        select(ProcessDefinition.elements_json).where(ProcessDefinition.id == definition_id)
    ) or "{}")
    return {element_id for element_id, e in elements.items() if e.get("type") == "startEvent"}


def _has_moved_past(session: Session, instance_id: str, start_ids: set[str]) -> bool:
    """True when the instance reached anything beyond its start events (the timer fired)."""
    return bool(session.scalar(select(exists().where(
        HistoricActivity.instance_id == instance_id,
        HistoricActivity.activity_id.not_in(start_ids),
    ))))
