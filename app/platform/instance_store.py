"""Load an instance for a command and save it back with every projection in step.

A command loads the instance row, lets the engine act, then `save` writes the state and
brings the read models up to date in the same transaction: the inbox (`task`,
`task_candidate`), task and activity history, timer jobs, message subscriptions,
variables and history events. What changed is found by comparing with `waits_json`,
the snapshot the previous save left, so a command costs no extra queries for
projections that did not change. The statements are built once and run on the
session's connection: this is the hot path of every command.
"""
from __future__ import annotations

import json
import uuid
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.clock import as_utc, parse_client_datetime
from app.db import after_commit, connection_of, takes_locks
from app.engine.runtime import Execution
from app.engine.views import Snapshot, UserTaskInfo
from app.models import (
    HistoricActivity, HistoricTask, InstanceState, Job, JobType,
    MessageSubscription, ProcessDefinition, ProcessInstance, Task, TaskCandidate,
)
from app.prepared import Deferred, Prepared

from app.core.context import AppContext
from app.core.errors import Conflict, NotFound, Suspended
from app.platform import (
    assignment, decision_history, external_task_rows, history, job_definition_states, job_log, notifications,
    permissions,
)

_INSTANCE = ProcessInstance.__table__
_TASK = Task.__table__
_CANDIDATE = TaskCandidate.__table__
_HISTORIC_TASK = HistoricTask.__table__
_HISTORIC_ACTIVITY = HistoricActivity.__table__
_JOB = Job.__table__
_SUBSCRIPTION = MessageSubscription.__table__

_INSERT_INSTANCE = Prepared(insert(_INSTANCE))
_THIS_VERSION = and_(_INSTANCE.c.id == bindparam("instance_id"), _INSTANCE.c.version == bindparam("seen"))
# The state is read only when the workflow is not kept in memory (instance_cache.py).
# Every command takes the instance row first (FOR NO KEY UPDATE on PostgreSQL; SQLite's
# writers are serialized at BEGIN): commands on one instance then queue instead of
# deadlocking on the projection rows they both write, and each reads what the one before
# it committed. NO KEY leaves inserts that refer to the row (history, comments) unblocked.
# A read unit of work (db.takes_locks) reads the same columns without the lock.
_READ_INSTANCE = select(*[c for c in _INSTANCE.c if c.name != "state_json"]).where(
    _INSTANCE.c.id == bindparam("id"))
_READ_STATE = select(_INSTANCE.c.state).where(_INSTANCE.c.id == bindparam("id"))
_SELECT_INSTANCE = {True: Prepared(_READ_INSTANCE.with_for_update(key_share=True)),
                    False: Prepared(_READ_INSTANCE)}
# A command on a task reads the task and takes its instance's row in one statement. The
# instance's columns come after the task's, labelled apart (both tables have an `id`).
_INSTANCE_COLUMNS = [c for c in _INSTANCE.c if c.name != "state_json"]
_READ_TASK_AND_INSTANCE = (
    select(*_TASK.c, *[c.label(f"instance__{c.name}") for c in _INSTANCE_COLUMNS])
    .join_from(_TASK, _INSTANCE, _TASK.c.instance_id == _INSTANCE.c.id)
    .where(_TASK.c.id == bindparam("id"))
)
_SELECT_TASK_AND_INSTANCE = {
    True: Prepared(_READ_TASK_AND_INSTANCE.with_for_update(of=_INSTANCE, key_share=True)),
    False: Prepared(_READ_TASK_AND_INSTANCE),
}
TaskRow = namedtuple("TaskRow", [c.name for c in _TASK.c])
_LOCK_INSTANCE = {True: Prepared(_READ_STATE.with_for_update(key_share=True)), False: Prepared(_READ_STATE)}
# session.info: the ids of the instance rows a unit of work holds (`_hold`).
_HELD = "held_instances"
_SELECT_STATE = Prepared(select(_INSTANCE.c.state_json).where(_THIS_VERSION))
_CLAIM_INSTANCE = Prepared(update(_INSTANCE).where(_THIS_VERSION).values(version=_INSTANCE.c.version + 1))
_UPDATE_INSTANCE = Prepared(
    update(_INSTANCE)
    .where(_THIS_VERSION)
    .values(
        state=bindparam("state"), end_time=bindparam("end_time"),
        state_json=bindparam("state_json"), serializer_version=bindparam("serializer_version"),
        variables_json=bindparam("variables_json"), waits_json=bindparam("waits_json"),
        business_name=bindparam("business_name"), applicant_org=bindparam("applicant_org"),
        supervising_org=bindparam("supervising_org"), version=_INSTANCE.c.version + 1,
    )
)
# Candidates go with their task (ON DELETE CASCADE).
_DELETE_TASK = Prepared(delete(_TASK).where(_TASK.c.id == bindparam("id")))
_END_HISTORIC_TASK = Prepared(
    update(_HISTORIC_TASK).where(_HISTORIC_TASK.c.id == bindparam("b_id"))
    .values(end_time=bindparam("now"), delete_reason="deleted")
)
_END_ACTIVITY = Prepared(
    update(_HISTORIC_ACTIVITY).where(_HISTORIC_ACTIVITY.c.id == bindparam("b_id"))
    .values(end_time=bindparam("now"), canceled=bindparam("b_canceled"))
)
_INSERT_TASK = Prepared(insert(_TASK))
_INSERT_HISTORIC_TASK = Prepared(insert(_HISTORIC_TASK))
_INSERT_CANDIDATES = Prepared(insert(_CANDIDATE))
_INSERT_ACTIVITIES = Prepared(insert(_HISTORIC_ACTIVITY))
# Parameters named after a column of `job` are reserved for SET values: prefix them.
_TIMER_JOB = and_(
    _JOB.c.instance_id == bindparam("b_instance_id"), _JOB.c.job_type == JobType.TIMER,
    _JOB.c.execution_id == bindparam("b_execution_id"),
)
_DELETE_TIMER_JOB = Prepared(delete(_JOB).where(_TIMER_JOB))
_MOVE_TIMER_JOB = Prepared(update(_JOB).where(_TIMER_JOB).values(due_at=bindparam("due_at")))
_INSERT_JOBS = Prepared(insert(_JOB))
_DELETE_SUBSCRIPTION = Prepared(delete(_SUBSCRIPTION).where(
    _SUBSCRIPTION.c.instance_id == bindparam("instance_id"), _SUBSCRIPTION.c.id == bindparam("id"),
))
_INSERT_SUBSCRIPTIONS = Prepared(insert(_SUBSCRIPTION))


@dataclass
class InstanceRecord:
    """The instance row as a command sees it; `version` is what the save must still find."""

    id: str
    definition_id: str
    process_key: str
    business_key: str | None
    state: InstanceState
    serializer_version: str
    variables_json: str
    waits_json: str
    started_by: str | None
    owner_org: str | None
    start_time: datetime
    end_time: datetime | None = None
    end_reason: str | None = None
    business_name: str | None = None
    applicant_org: str | None = None
    supervising_org: str | None = None
    suspended: bool = False
    version: int = 0
    # Set by `save`; a loaded row leaves it unread.
    state_json: str | None = None

    @property
    def is_new(self) -> bool:
        return self.version == 0


@dataclass
class Loaded:
    row: InstanceRecord
    definition: ProcessDefinition
    execution: Execution
    waits: dict
    variables: dict
    types: dict
    events: list[dict] = field(default_factory=list)
    secured: bool = False

    def record(self, event_type: str, user_id: str | None = None, activity_id: str | None = None,
               task_id: str | None = None, **details) -> None:
        self.events.append(history.event(event_type, user_id, activity_id, task_id, **details))


def new_id() -> str:
    return str(uuid.uuid4())


def task_and_instance(session: Session, task_id: str) -> tuple[TaskRow | None, InstanceRecord | None]:
    """The open task and its instance's row, taken for this command as `load` takes it;
    give the row to `load`. (None, None) when no such task is open."""
    found = _SELECT_TASK_AND_INSTANCE[takes_locks(session)].first(connection_of(session), {"id": task_id})
    if found is None:
        return None, None
    split = len(_TASK.c)
    instance = InstanceRecord(**{c.name: value for c, value in zip(_INSTANCE_COLUMNS, found[split:])})
    _hold(session, instance.id)
    return TaskRow(*found[:split]), instance


def load(ctx: AppContext, session: Session, instance_id: str, row: InstanceRecord | None = None) -> Loaded:
    """The running instance, its row taken for this command (or already taken: `row`)."""
    if row is None:
        found = _SELECT_INSTANCE[takes_locks(session)].first(connection_of(session), {"id": instance_id})
        if found is None:
            raise NotFound(f"流程实例 {instance_id} 不存在 / process instance not found")
        row = InstanceRecord(**found._asdict())
        _hold(session, row.id)
    if row.state != InstanceState.ACTIVE:
        raise Conflict("流程已结束或已被终止 / the process instance has already ended")
    if row.suspended:
        raise Suspended()
    definition = definition_of(ctx, session, row.definition_id)
    execution = ctx.instances.take(row.id, row.version)
    if execution is None:
        state_json = _SELECT_STATE.scalar(connection_of(session), {"instance_id": row.id, "seen": row.version})
        if state_json is None:
            raise Conflict("流程实例已被他人修改，请刷新后重试 / the instance was changed meanwhile")
        execution = ctx.engine.restore(definition.id, definition.spec_json, state_json)
    stored = json.loads(row.variables_json)
    return Loaded(row, definition, execution, json.loads(row.waits_json),
                  stored.get("values", {}), stored.get("types", {}))


def lock_instance(session: Session, instance_id: str) -> InstanceState | None:
    """Take the instance row for this command before it writes anything (see `load`);
    returns the instance's state, None when there is no such instance."""
    state = _LOCK_INSTANCE[takes_locks(session)].scalar(connection_of(session), {"id": instance_id})
    if state is not None:
        _hold(session, instance_id)
    return state


def _hold(session: Session, instance_id: str) -> None:
    """Note that this unit of work holds the instance's row: on PostgreSQL, read FOR NO KEY
    UPDATE outside any savepoint (a savepoint rolled back would let the lock go), nobody else
    can change the row before this unit of work ends."""
    if (takes_locks(session) and not session.in_nested_transaction()
            and connection_of(session).dialect.name == "postgresql"):
        session.info.setdefault(_HELD, set()).add(instance_id)


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


def english_names(ctx: AppContext, session: Session, definition_id: str) -> dict[str, str]:
    """Element id (the process's own id too) -> the English name its model gives, read once
    per definition like the definition itself."""
    cache = ctx.caches.setdefault("english_names", {})
    if definition_id not in cache:
        elements = json.loads(definition_of(ctx, session, definition_id).elements_json or "{}")
        cache[definition_id] = {element_id: e["name_en"] for element_id, e in elements.items() if e.get("name_en")}
    return cache[definition_id]


def save(ctx: AppContext, session: Session, loaded: Loaded, actor_id: str | None) -> None:
    now = ctx.now()
    row = loaded.row
    snapshot = loaded.execution.snapshot()
    # The history rows this save writes come from the snapshot: the finished rounds of a
    # loop may leave the engine's state only after it was read.
    loaded.execution.compact()
    row.state_json = loaded.execution.serialize()
    row.serializer_version = ctx.engine.serializer_version
    # The row goes first: a stale command then fails on its version (409) before any
    # projection row it writes can collide with the other writer's.
    deferred = Deferred()
    _sync_variables(loaded, snapshot, actor_id)
    row.business_name = _business_name(loaded.variables, row.business_name)
    case = permissions.case_of(row, loaded.variables)
    row.applicant_org, row.supervising_org = case.applicant_org, case.supervising_org
    new_tasks = _sync_tasks(deferred, loaded, snapshot, now)
    _sync_activities(deferred, loaded, snapshot, now)
    _sync_timers(deferred, loaded, snapshot, now)
    _sync_messages(deferred, loaded, snapshot, now)
    external_task_rows.sync(connection_of(session), deferred, loaded, snapshot, now)
    if snapshot.completed and row.state == InstanceState.ACTIVE:
        row.state = InstanceState.COMPLETED
        row.end_time = now
        loaded.record("instance_completed", actor_id)
        end = _end_reached(snapshot)
        names = (end.name, english_names(ctx, session, row.definition_id).get(end.activity_id)) if end else (None, None)
        words = ctx.outcome_words(row.process_key, end.activity_id if end else None, names, loaded.variables)
        notifications.notify_decided(deferred, row, now, words)
    row.waits_json = json.dumps(loaded.waits, separators=(",", ":"))
    conn = connection_of(session)
    started_now = row.is_new
    if started_now:
        _INSERT_INSTANCE.send_later(conn, [_instance_values(row)])
        row.version = 1
    else:
        _write_row(conn, row, row.id in session.info.get(_HELD, ()))
    if new_tasks:
        # Read after the row's update is queued: on PostgreSQL the read takes the update
        # (and its version check) along in one round trip.
        chosen = assignment.assignees(ctx, session, row.id, started_now, row.started_by, new_tasks)
        _open_tasks(deferred, loaded, new_tasks, chosen, now)
    decision_history.append(ctx, session, deferred, row, loaded.execution.take_decisions(), actor_id, now)
    history.append(deferred, row.id, row.process_key, loaded.events, now)
    deferred.run(conn)
    loaded.events.clear()
    loaded.secured = False
    _keep_after_commit(ctx, session, loaded, snapshot)


def _end_reached(snapshot: Snapshot):
    """The end event that finished the instance: the last one to complete."""
    ends = [a for a in snapshot.activities if a.activity_type == "endEvent" and a.state == "completed"]
    return max(ends, key=lambda a: a.changed_at, default=None)


def _keep_after_commit(ctx: AppContext, session: Session, loaded: Loaded, saved: Snapshot) -> None:
    execution, instance_id, version = loaded.execution, loaded.row.id, loaded.row.version

    def keep() -> None:
        # A finished instance has no next command: leave the room to running ones.
        if execution.unchanged_since(saved) and not saved.completed:
            ctx.instances.put(instance_id, version, execution)

    after_commit(session, keep)


def secure_row(session: Session, loaded: Loaded) -> None:
    """Make the instance row this command's before a service handler writes rows.

    A new instance is inserted (a failed call's job and a handler's rows refer to it). A
    loaded one is claimed: its version is bumped where it still is the version read,
    else Conflict. `save` then writes the row with the claimed version.
    """
    if loaded.secured:
        return
    row = loaded.row
    conn = connection_of(session)
    if row.is_new:
        _INSERT_INSTANCE.execute(conn, _instance_values(row))
        row.version = 1
    else:
        if _CLAIM_INSTANCE.execute(conn, {"instance_id": row.id, "seen": row.version}) != 1:
            raise Conflict("流程实例已被他人修改，请刷新后重试 / the instance was changed meanwhile")
        row.version += 1
    loaded.secured = True


def _instance_values(row: InstanceRecord) -> dict:
    values = {name: getattr(row, name) for name in InstanceRecord.__dataclass_fields__}
    values["version"] = 1
    return values


def _write_row(conn, row: InstanceRecord, held: bool) -> None:
    """Update the row where it still is the version read, else Conflict (when the answer is
    back: on PostgreSQL with the next statement that waits for one, before the COMMIT). A
    row this unit of work `held` since its read is the version read: its update goes with
    the COMMIT, which then need not wait a round trip for the check's answer."""

    def check(written: int) -> None:
        if written != 1:
            raise Conflict("流程实例已被他人修改，请刷新后重试 / the instance was changed meanwhile")

    _UPDATE_INSTANCE.send_later(conn, [{
        "instance_id": row.id, "seen": row.version, "state": row.state, "end_time": row.end_time,
        "state_json": row.state_json, "serializer_version": row.serializer_version,
        "variables_json": row.variables_json, "waits_json": row.waits_json,
        "business_name": row.business_name, "applicant_org": row.applicant_org,
        "supervising_org": row.supervising_org,
    }], None if held else check)
    row.version += 1


def _sync_variables(loaded: Loaded, snapshot: Snapshot, actor_id: str | None) -> None:
    current = snapshot.variables
    changed = {k: v for k, v in current.items() if loaded.variables.get(k, _MISSING) != v}
    removed = [k for k in loaded.variables if k not in current]
    if changed or removed:
        loaded.row.variables_json = json.dumps(
            {"values": current, "types": {k: t for k, t in loaded.types.items() if k in current}},
            ensure_ascii=False, separators=(",", ":"), default=str,
        )
        loaded.variables = current
        # What changed, with its values and declared types: the history of each variable
        # (Camunda's historic details) is read from these events.
        update = {"variables_changed": sorted(changed), "variable_values": changed,
                  "variable_types": {k: loaded.types[k] for k in changed if loaded.types.get(k)}}
        if loaded.events and loaded.events[-1]["event_type"] in ("task_completed", "instance_started"):
            loaded.events[-1]["details"] = {**(loaded.events[-1].get("details") or {}), **update}
        elif changed:
            loaded.record("variables_updated", actor_id, names=sorted(changed), **update)


_MISSING = object()


def _business_name(variables: dict, current: str | None) -> str | None:
    """The name officers know the case by: the center's name, else a title."""
    name = variables.get("centerName") or variables.get("title")
    return str(name)[:200] if name else current


def _sync_tasks(writes: Deferred, loaded: Loaded, snapshot: Snapshot, now: datetime) -> list[UserTaskInfo]:
    """Close the tasks gone; returns the new ones, for `save` to open."""
    previous = set(loaded.waits.get("tasks", ()))
    current = {info.id: info for info in map(assignment.offered, snapshot.user_tasks)}
    gone = previous - current.keys()
    if gone:
        _close_tasks(writes, loaded, gone, now)
    loaded.waits["tasks"] = sorted(current)
    return [info for task_id, info in current.items() if task_id not in previous]


def _close_tasks(writes: Deferred, loaded: Loaded, gone: set[str], now: datetime) -> None:
    deleted = sorted(gone - {loaded.waits.pop("completed_task", None)})
    writes.write(_END_HISTORIC_TASK, [{"b_id": task_id, "now": now} for task_id in deleted])
    for task_id in deleted:
        loaded.record("task_deleted", task_id=task_id)
    writes.write(_DELETE_TASK, [{"id": task_id} for task_id in sorted(gone)])


def _open_tasks(writes: Deferred, loaded: Loaded, new: list[UserTaskInfo], chosen: dict[str, str],
                now: datetime) -> None:
    row = loaded.row
    task_rows, candidate_rows, history_rows = [], [], []
    for info in new:
        due = _parse_date(info.due)
        assignee = info.assignee or chosen.get(info.id)
        values = dict(
            id=info.id, instance_id=row.id, definition_id=row.definition_id,
            process_key=row.process_key, business_key=row.business_key, task_key=info.key,
            name=info.name, assignee=assignee, candidate_groups=",".join(info.candidate_groups),
            form_key=info.form_key, due_at=due,
        )
        task_rows.append(dict(
            values, business_name=row.business_name,
            candidate_users=",".join(info.candidate_users), owner=None,
            follow_up_at=_parse_date(info.follow_up), priority=info.priority, created_at=now,
            due_weekends_only=info.due_weekends_only,
            owner_org=row.owner_org, version=1,
        ))
        history_rows.append(dict(values, start_time=now, owner=None))
        candidate_rows += [{"task_id": info.id, "kind": "group", "value": g} for g in set(info.candidate_groups)]
        candidate_rows += [{"task_id": info.id, "kind": "user", "value": u} for u in set(info.candidate_users)]
        loaded.record("task_created", activity_id=info.key, task_id=info.id,
                      assignee=assignee, candidate_groups=info.candidate_groups)
    writes.write(_INSERT_TASK, task_rows)
    writes.write(_INSERT_HISTORIC_TASK, history_rows)
    writes.write(_INSERT_CANDIDATES, candidate_rows)
    notifications.notify_new_tasks(writes, task_rows, now, {info.key: info.name_en for info in new})


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    if isinstance(text, datetime):
        return as_utc(text)
    try:
        return parse_client_datetime(str(text))
    except ValueError:
        return None


def _sync_activities(writes: Deferred, loaded: Loaded, snapshot: Snapshot, now: datetime) -> None:
    """Record diagram elements that started or ended since the last save.

    `since` is the engine's change stamp at the last save: an element that finished
    before it was recorded then.
    """
    previous = set(loaded.waits.get("active", ()))
    since = loaded.waits.get("since", 0.0)
    active, inserts, ended, latest = [], [], [], since
    for activity in snapshot.activities:
        latest = max(latest, activity.changed_at)
        if activity.state == "active":
            active.append(activity.id)
            if activity.id not in previous:
                inserts.append(_activity_row(loaded, activity, now, None))
        elif activity.id in previous:
            ended.append((activity.id, activity.state == "cancelled"))
        elif activity.changed_at > since:
            inserts.append(_activity_row(loaded, activity, now, now))
    # An active element gone from the tree was cancelled there (a token moved away).
    seen = {activity.id for activity in snapshot.activities}
    ended += [(activity_id, True) for activity_id in sorted(previous - seen)]
    writes.write(_INSERT_ACTIVITIES, inserts)
    writes.write(_END_ACTIVITY, [
        {"b_id": activity_id, "now": now, "b_canceled": canceled} for activity_id, canceled in ended
    ])
    loaded.waits["active"] = active
    loaded.waits["since"] = latest


def _activity_row(loaded: Loaded, activity, now, end) -> dict:
    return dict(
        id=activity.id, instance_id=loaded.row.id, process_key=loaded.row.process_key,
        definition_id=loaded.row.definition_id, activity_id=activity.activity_id,
        activity_name=activity.name, activity_type=activity.activity_type,
        start_time=now, end_time=end, canceled=activity.state == "cancelled",
    )


def _sync_timers(writes: Deferred, loaded: Loaded, snapshot: Snapshot, now: datetime) -> None:
    previous = loaded.waits.get("timers", {})
    current = {t.execution_id: (t.activity_id, t.due_at) for t in snapshot.timers}
    gone = [eid for eid in previous if eid not in current]
    # The executor logs the run of the timer it fired; the others went unrun.
    fired = loaded.waits.pop("fired_timer", None)
    job_log.timers_gone(writes, loaded.row.id, [eid for eid in gone if eid != fired], now)
    writes.write(_DELETE_TIMER_JOB, [{"b_instance_id": loaded.row.id, "b_execution_id": eid} for eid in gone])
    rows = []
    for execution_id, (activity_id, due) in current.items():
        stamp = due.isoformat() if due else None
        if previous.get(execution_id) == stamp:
            continue
        if execution_id in previous:
            writes.write(_MOVE_TIMER_JOB, [{
                "b_instance_id": loaded.row.id, "b_execution_id": execution_id, "due_at": due,
            }])
            continue
        rows.append(dict(
            id=new_id(), job_type=JobType.TIMER, instance_id=loaded.row.id,
            definition_id=loaded.row.definition_id, process_key=loaded.row.process_key,
            activity_id=activity_id, execution_id=execution_id, due_at=due,
            retries=3, created_at=now,
        ))
    writes.write(_INSERT_JOBS, rows)
    if rows:
        job_definition_states.suspend_new_jobs(writes, loaded.row.id, JobType.TIMER, now)
    job_log.created(writes, rows, now)
    loaded.waits["timers"] = {
        eid: (due.isoformat() if due else None) for eid, (_a, due) in current.items()
    }


def _sync_messages(writes: Deferred, loaded: Loaded, snapshot: Snapshot, now: datetime) -> None:
    previous = {tuple(w) for w in loaded.waits.get("messages", ())}
    current = {(w.execution_id, w.message_name, w.activity_id) for w in snapshot.message_waits}
    writes.write(_DELETE_SUBSCRIPTION, [
        {"instance_id": loaded.row.id, "id": gone[0]} for gone in sorted(previous - current)
    ])
    rows = [
        dict(id=execution_id, instance_id=loaded.row.id, message_name=name,
             business_key=loaded.row.business_key, activity_id=activity_id, created_at=now)
        for execution_id, name, activity_id in current - previous
    ]
    writes.write(_INSERT_SUBSCRIPTIONS, rows)
    loaded.waits["messages"] = sorted(list(w) for w in current)


def create_row(ctx: AppContext, definition: ProcessDefinition, business_key: str | None,
               actor, execution: Execution, types: dict) -> Loaded:
    row = InstanceRecord(
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
