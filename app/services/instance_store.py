"""Load an instance for a command and save it back with every projection in step.

A command loads the instance row, lets the engine act, then `save` writes the state and
brings the read models up to date in the same transaction: the inbox (`task`,
`task_candidate`), task and activity history, timer jobs, message subscriptions,
variables and history events. What changed is found by comparing with `waits_json`,
the snapshot the previous save left, so a command costs no extra queries for
projections that did not change.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.clock import as_utc, parse_client_datetime
from app.engine.runtime import Execution, UserTaskInfo
from app.models import (
    HistoricActivity, HistoricTask, InstanceState, Job, JobType,
    MessageSubscription, ProcessDefinition, ProcessInstance, Task, TaskCandidate,
)

from . import history
from .context import AppContext
from .errors import Conflict, NotFound


@dataclass
class Loaded:
    row: ProcessInstance
    definition: ProcessDefinition
    execution: Execution
    waits: dict
    variables: dict
    types: dict
    events: list[dict] = field(default_factory=list)

    def record(self, event_type: str, user_id: str | None = None, activity_id: str | None = None,
               task_id: str | None = None, **details) -> None:
        self.events.append(history.event(event_type, user_id, activity_id, task_id, **details))


def new_id() -> str:
    return str(uuid.uuid4())


def load(ctx: AppContext, session: Session, instance_id: str) -> Loaded:
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"流程实例 {instance_id} 不存在 / process instance not found")
    definition = definition_of(ctx, session, row.definition_id)
    execution = ctx.engine.restore(definition.id, definition.spec_json, row.state_json)
    stored = json.loads(row.variables_json)
    return Loaded(row, definition, execution, json.loads(row.waits_json),
                  stored.get("values", {}), stored.get("types", {}))


def definition_of(ctx: AppContext, session: Session, definition_id: str) -> ProcessDefinition:
    """Definitions never change once deployed: keep them in memory after the first read."""
    cache = ctx.caches.setdefault("definitions", {})
    definition = cache.get(definition_id)
    if definition is None:
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None:
            raise NotFound(f"流程定义 {definition_id} 不存在 / process definition not found")
        session.expunge(definition)
        cache[definition_id] = definition
    return definition


def save(ctx: AppContext, session: Session, loaded: Loaded, actor_id: str | None) -> None:
    now = ctx.now()
    execution = loaded.execution
    row = loaded.row
    row.state_json = execution.serialize()
    row.serializer_version = ctx.engine.serializer_version
    if inspect(row).pending:
        session.flush()
    _sync_variables(loaded, actor_id)
    _sync_tasks(ctx, session, loaded, now)
    _sync_activities(session, loaded, now)
    _sync_timers(session, loaded, now)
    _sync_messages(session, loaded, now)
    if execution.completed and row.state == InstanceState.ACTIVE:
        row.state = InstanceState.COMPLETED
        row.end_time = now
        loaded.record("instance_completed", actor_id)
    row.waits_json = json.dumps(loaded.waits, separators=(",", ":"))
    history.append(session, row.id, row.process_key, loaded.events, now)
    loaded.events.clear()
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict("流程实例已被他人修改，请刷新后重试 / the instance was changed meanwhile") from error


def _sync_variables(loaded: Loaded, actor_id: str | None) -> None:
    current = loaded.execution.variables()
    changed = {k: v for k, v in current.items() if loaded.variables.get(k, _MISSING) != v}
    removed = [k for k in loaded.variables if k not in current]
    if changed or removed:
        loaded.row.variables_json = json.dumps(
            {"values": current, "types": {k: t for k, t in loaded.types.items() if k in current}},
            ensure_ascii=False, separators=(",", ":"), default=str,
        )
        loaded.variables = current
        if loaded.events and loaded.events[-1]["event_type"] in ("task_completed", "instance_started"):
            loaded.events[-1].setdefault("details", None)
            details = loaded.events[-1]["details"] or {}
            details["variables_changed"] = sorted(changed)
            loaded.events[-1]["details"] = details
        elif changed:
            loaded.record("variables_updated", actor_id, names=sorted(changed))


_MISSING = object()


def _sync_tasks(ctx: AppContext, session: Session, loaded: Loaded, now: datetime) -> None:
    previous = set(loaded.waits.get("tasks", ()))
    current = {info.id: info for info in loaded.execution.user_tasks()}
    gone = previous - current.keys()
    if gone:
        _close_tasks(session, loaded, gone, now)
    new = [info for task_id, info in current.items() if task_id not in previous]
    if new:
        _open_tasks(session, loaded, new, now)
    loaded.waits["tasks"] = sorted(current)


def _close_tasks(session: Session, loaded: Loaded, gone: set[str], now: datetime) -> None:
    completed = loaded.waits.pop("completed_task", None)
    for task_id in gone:
        if task_id != completed:
            session.execute(
                update(HistoricTask).where(HistoricTask.id == task_id)
                .values(end_time=now, delete_reason="deleted")
            )
            loaded.record("task_deleted", task_id=task_id)
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(gone)))
    session.execute(delete(Task).where(Task.id.in_(gone)))


def _open_tasks(session: Session, loaded: Loaded, new: list[UserTaskInfo], now: datetime) -> None:
    row = loaded.row
    task_rows, candidate_rows, history_rows = [], [], []
    for info in new:
        due = _parse_date(info.due)
        values = dict(
            id=info.id, instance_id=row.id, definition_id=row.definition_id,
            process_key=row.process_key, business_key=row.business_key, task_key=info.key,
            name=info.name, assignee=info.assignee, candidate_groups=",".join(info.candidate_groups),
            form_key=info.form_key, due_at=due,
        )
        task_rows.append(dict(
            values, candidate_users=",".join(info.candidate_users), owner=None,
            follow_up_at=_parse_date(info.follow_up), priority=info.priority, created_at=now,
            owner_org=row.owner_org, version=1,
        ))
        history_rows.append(dict(values, start_time=now, owner=None))
        candidate_rows += [{"task_id": info.id, "kind": "group", "value": g} for g in set(info.candidate_groups)]
        candidate_rows += [{"task_id": info.id, "kind": "user", "value": u} for u in set(info.candidate_users)]
        loaded.record("task_created", activity_id=info.key, task_id=info.id,
                      assignee=info.assignee, candidate_groups=info.candidate_groups)
    session.execute(insert(Task), task_rows)
    session.execute(insert(HistoricTask), history_rows)
    if candidate_rows:
        session.execute(insert(TaskCandidate), candidate_rows)


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    if isinstance(text, datetime):
        return as_utc(text)
    try:
        return parse_client_datetime(str(text))
    except ValueError:
        return None


def _sync_activities(session: Session, loaded: Loaded, now: datetime) -> None:
    """Record diagram elements that started or ended since the last save.

    `since` is the engine's change stamp at the last save: an element that finished
    before it was recorded then.
    """
    previous = set(loaded.waits.get("active", ()))
    since = loaded.waits.get("since", 0.0)
    active, inserts, ended, latest = [], [], [], since
    for activity in loaded.execution.activities():
        latest = max(latest, activity.changed_at)
        if activity.state == "active":
            active.append(activity.id)
            if activity.id not in previous:
                inserts.append(_activity_row(loaded, activity, now, None))
        elif activity.id in previous:
            ended.append((activity.id, activity.state == "cancelled"))
        elif activity.changed_at > since:
            inserts.append(_activity_row(loaded, activity, now, now))
    if inserts:
        session.execute(insert(HistoricActivity), inserts)
    for activity_id, canceled in ended:
        session.execute(
            update(HistoricActivity).where(HistoricActivity.id == activity_id)
            .values(end_time=now, canceled=canceled)
        )
    loaded.waits["active"] = active
    loaded.waits["since"] = latest


def _activity_row(loaded: Loaded, activity, now, end) -> dict:
    return dict(
        id=activity.id, instance_id=loaded.row.id, process_key=loaded.row.process_key,
        definition_id=loaded.row.definition_id, activity_id=activity.activity_id,
        activity_name=activity.name, activity_type=activity.activity_type, assignee=None,
        start_time=now, end_time=end, canceled=activity.state == "cancelled",
    )


def _sync_timers(session: Session, loaded: Loaded, now: datetime) -> None:
    previous = loaded.waits.get("timers", {})
    current = {
        t.execution_id: (t.activity_id, t.due_at) for t in loaded.execution.timers()
    }
    gone = [eid for eid in previous if eid not in current]
    if gone:
        session.execute(delete(Job).where(
            Job.instance_id == loaded.row.id, Job.execution_id.in_(gone),
            Job.job_type == JobType.TIMER,
        ))
    rows = []
    for execution_id, (activity_id, due) in current.items():
        stamp = due.isoformat() if due else None
        if previous.get(execution_id) == stamp:
            continue
        if execution_id in previous:
            session.execute(update(Job).where(
                Job.instance_id == loaded.row.id, Job.execution_id == execution_id,
                Job.job_type == JobType.TIMER,
            ).values(due_at=due))
            continue
        rows.append(dict(
            id=new_id(), job_type=JobType.TIMER, instance_id=loaded.row.id,
            definition_id=loaded.row.definition_id, process_key=loaded.row.process_key,
            activity_id=activity_id, execution_id=execution_id, due_at=due,
            retries=3, created_at=now,
        ))
    if rows:
        session.execute(insert(Job), rows)
    loaded.waits["timers"] = {
        eid: (due.isoformat() if due else None) for eid, (_a, due) in current.items()
    }


def _sync_messages(session: Session, loaded: Loaded, now: datetime) -> None:
    previous = {tuple(w) for w in loaded.waits.get("messages", ())}
    current = {(w.execution_id, w.message_name, w.activity_id) for w in loaded.execution.message_waits()}
    gone = previous - current
    if gone:
        session.execute(delete(MessageSubscription).where(
            MessageSubscription.instance_id == loaded.row.id,
            MessageSubscription.id.in_([g[0] for g in gone]),
        ))
    rows = [
        dict(id=execution_id, instance_id=loaded.row.id, message_name=name,
             business_key=loaded.row.business_key, activity_id=activity_id, created_at=now)
        for execution_id, name, activity_id in current - previous
    ]
    if rows:
        session.execute(insert(MessageSubscription), rows)
    loaded.waits["messages"] = sorted(list(w) for w in current)


def create_row(ctx: AppContext, definition: ProcessDefinition, business_key: str | None,
               actor, execution: Execution, types: dict) -> Loaded:
    row = ProcessInstance(
        id=new_id(), definition_id=definition.id, process_key=definition.key,
        business_key=business_key, state=InstanceState.ACTIVE,
        serializer_version=ctx.engine.serializer_version, state_json="{}",
        variables_json="{}", waits_json="{}",
        started_by=actor.id if actor else None,
        owner_org=actor.organization_id if actor else None, start_time=ctx.now(),
    )
    return Loaded(row, definition, execution, {}, {}, dict(types))


def backoff(attempt: int) -> timedelta:
    """10 s, 40 s, 160 s … between retries of a failing job."""
    return timedelta(seconds=10 * 4 ** max(attempt, 0))
