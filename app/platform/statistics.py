"""The cockpit's figures (流程监控): instances per process version and state, and per
activity how many instances wait there, how many of them are overdue, open incidents and
failed jobs; and which instances wait at one activity.

Every figure is one aggregate query over the instance, activity, task, incident, job and
history rows (indexed for it: migration `cockpit statistics indexes`); no workflow is ever
loaded. A called process (`tic_expert_review`) runs inside its caller's instance, so its
steps are the caller's activity rows: on its diagram they are counted from every caller.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, distinct, false, func, or_, select, union_all
from sqlalchemy.orm import Session

from app.engine.call_activities import called_processes
from app.models import (
    HistoricActivity, HistoryEvent, Incident, InstanceState, Job, ProcessDefinition,
    ProcessInstance, Task,
)

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.paging import Page
from app.platform import instance_store, permissions

# The history event every withdrawal (撤回) writes, whichever way it ends the instance.
WITHDRAWN_EVENT = "instance_withdrawn"
ENDED_BY_FORCE = (InstanceState.EXTERNALLY_TERMINATED, InstanceState.INTERNALLY_TERMINATED)


@dataclass
class DefinitionCounts:
    """One process version: running, completed (not withdrawn), withdrawn, otherwise
    terminated, its jobs out of retries and its open incidents by type."""

    id: str
    key: str
    name: str | None
    version: int
    running: int = 0
    completed: int = 0
    withdrawn: int = 0
    terminated: int = 0
    failed_jobs: int = 0
    incident_types: dict[str, int] = field(default_factory=dict)

    @property
    def incidents(self) -> int:
        return sum(self.incident_types.values())


@dataclass
class ProcessCounts:
    """A process (key) with its versions, newest first, and their sums."""

    key: str
    name: str | None
    versions: list[DefinitionCounts]

    @property
    def total(self) -> DefinitionCounts:
        summed = DefinitionCounts("", self.key, self.name, 0)
        for v in self.versions:
            summed.running, summed.completed = summed.running + v.running, summed.completed + v.completed
            summed.withdrawn, summed.terminated = summed.withdrawn + v.withdrawn, summed.terminated + v.terminated
            summed.failed_jobs += v.failed_jobs
            for kind, count in v.incident_types.items():
                summed.incident_types[kind] = summed.incident_types.get(kind, 0) + count
        return summed


@dataclass
class ActivityCounts:
    """One activity of a diagram: instances waiting there, of them overdue, jobs out of
    retries (Camunda's failedJobs) and open incidents by type."""

    instances: int = 0
    overdue: int = 0
    failed_jobs: int = 0
    incident_types: dict[str, int] = field(default_factory=dict)

    @property
    def incidents(self) -> int:
        return sum(self.incident_types.values())


@dataclass(frozen=True)
class DiagramScope:
    """Whose activity rows one diagram shows: the definitions of the process itself, and
    for a called process the rows of its steps inside each caller's definition."""

    definition: ProcessDefinition
    own: tuple[str, ...]
    called: tuple[tuple[str, frozenset[str]], ...] = field(default=())

    def parts(self, definition_column, activity_column) -> list:
        """The scope as SQL conditions, one per index seek: the process's own definitions,
        then each caller's definition with the called process's activities."""
        own = [definition_column.in_(self.own)] if self.own else []
        return own + [and_(definition_column == caller, activity_column.in_(sorted(ids)))
                      for caller, ids in self.called]

    def condition(self, definition_column, activity_column):
        """A SQL condition on rows with a definition id and an activity id."""
        parts = self.parts(definition_column, activity_column)
        return or_(*parts) if parts else false()


def require_reader(actor: Actor) -> None:
    permissions.enforce(permissions.cockpit_refusal(actor))


def definition_counts(session: Session, actor: Actor) -> list[DefinitionCounts]:
    """Every process version, by key then version, with its instance, job and incident counts."""
    require_reader(actor)
    found = {row.id: DefinitionCounts(row.id, row.key, row.name, row.version) for row in session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.version)
        .order_by(ProcessDefinition.key, ProcessDefinition.version))}
    withdrawn = _withdrawn_by_state(session)
    for definition_id, state, count in session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.state, func.count())
        .group_by(ProcessInstance.definition_id, ProcessInstance.state)
    ):
        _add_state(found[definition_id], state, count, withdrawn.get((definition_id, state), 0))
    for definition_id, kind, count in session.execute(
        select(Incident.definition_id, Incident.incident_type, func.count())
        .where(Incident.resolved_at.is_(None)).group_by(Incident.definition_id, Incident.incident_type)
    ):
        if definition_id in found:
            found[definition_id].incident_types[kind] = count
    for definition_id, count in session.execute(
        select(Job.definition_id, func.count()).where(Job.retries == 0).group_by(Job.definition_id)
    ):
        if definition_id in found:
            found[definition_id].failed_jobs = count
    return list(found.values())


def process_counts(session: Session, actor: Actor) -> list[ProcessCounts]:
    """The cockpit's overview: every process, its versions newest first."""
    processes: dict[str, ProcessCounts] = {}
    for counts in definition_counts(session, actor):
        process = processes.setdefault(counts.key, ProcessCounts(counts.key, counts.name, []))
        process.versions.insert(0, counts)
        process.name = process.versions[0].name or process.name
    return list(processes.values())


def _withdrawn_by_state(session: Session) -> dict[tuple[str, InstanceState], int]:
    """Ended instances that were withdrawn, per definition and end state: driven by the
    (few) withdrawal events."""
    rows = session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.state,
               func.count(distinct(HistoryEvent.instance_id)))
        .join(ProcessInstance, ProcessInstance.id == HistoryEvent.instance_id)
        .where(HistoryEvent.event_type == WITHDRAWN_EVENT, ProcessInstance.state != InstanceState.ACTIVE)
        .group_by(ProcessInstance.definition_id, ProcessInstance.state)
    )
    return {(definition_id, state): count for definition_id, state, count in rows}


def _add_state(counts: DefinitionCounts, state: InstanceState, count: int, withdrawn: int) -> None:
    if state == InstanceState.ACTIVE:
        counts.running += count
        return
    counts.withdrawn += withdrawn
    if state == InstanceState.COMPLETED:
        counts.completed += count - withdrawn
    elif state in ENDED_BY_FORCE:
        counts.terminated += count - withdrawn


def diagram_scope(ctx: AppContext, session: Session, actor: Actor, key: str,
                  version: int | None = None) -> DiagramScope:
    """The diagram of `key` to show (`version`, else the latest) and whose rows count on it:
    that version's, or with no version every version's and the callers' of the process."""
    require_reader(actor)
    versions = dict(session.execute(
        select(ProcessDefinition.version, ProcessDefinition.id).where(ProcessDefinition.key == key)
    ).all())
    if not versions or (version is not None and version not in versions):
        raise NotFound(f"流程定义 {key}{'' if version is None else f' 第 {version} 版'} 不存在 / "
                       "process definition not found")
    shown = instance_store.definition_of(ctx, session, versions[version or max(versions)])
    if version is not None:
        return DiagramScope(shown, (shown.id,))
    return DiagramScope(shown, tuple(versions.values()), _callers(ctx, session, shown))


def definition_scope(ctx: AppContext, session: Session, actor: Actor, definition_id: str) -> DiagramScope:
    """One definition's own rows (Camunda's statistics of a process definition by id)."""
    require_reader(actor)
    return DiagramScope(instance_store.definition_of(ctx, session, definition_id), (definition_id,))


def definition_activity_counts(ctx: AppContext, session: Session, actor: Actor,
                               definition_id: str) -> dict[str, ActivityCounts]:
    """Per activity, the counts of one definition's own instances."""
    return activity_counts(session, actor, definition_scope(ctx, session, actor, definition_id), ctx.now())


def _callers(ctx: AppContext, session: Session, called: ProcessDefinition) -> tuple:
    """(caller definition id, the called process's activity ids as they appear in it) for
    every definition that calls `called.key`. Ids the caller uses itself are left out."""
    steps = set(json.loads(called.elements_json))
    found = []
    for definition_id in session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.key != called.key)):
        caller = instance_store.definition_of(ctx, session, definition_id)
        if called.key in calls_of(ctx, caller).values():
            found.append((definition_id, frozenset(steps - set(json.loads(caller.elements_json)))))
    return tuple(found)


def calls_of(ctx: AppContext, definition: ProcessDefinition) -> dict[str, str]:
    """A definition's call activities, read once: definitions never change once deployed."""
    cache = ctx.caches.setdefault("called_processes", {})
    if definition.id not in cache:
        cache[definition.id] = called_processes(definition.bpmn_xml, definition.key)
    return cache[definition.id]


def activity_counts(session: Session, actor: Actor, scope: DiagramScope,
                    now: datetime) -> dict[str, ActivityCounts]:
    """Per activity id of the diagram, the counts its badge shows (zero ones left out)."""
    found: dict[str, ActivityCounts] = {}

    def counts(activity_id: str | None) -> ActivityCounts | None:
        if activity_id is None or not confidential.sees_step(actor, activity_id, None):
            return None
        return found.setdefault(activity_id, ActivityCounts())

    for name, query in _count_queries(scope, now):
        for activity_id, count in session.execute(query):
            if (target := counts(activity_id)) is not None:
                setattr(target, name, count)
    for activity_id, kind, count in session.execute(
        select(Incident.activity_id, Incident.incident_type, func.count())
        .where(Incident.resolved_at.is_(None), scope.condition(Incident.definition_id, Incident.activity_id))
        .group_by(Incident.activity_id, Incident.incident_type)
    ):
        if (target := counts(activity_id)) is not None:
            target.incident_types[kind] = count
    return found


def _count_queries(scope: DiagramScope, now: datetime):
    """(field of ActivityCounts, its query of activity id and count)."""
    return (
        # A boundary event waits beside its activity for as long as it runs: the activity
        # carries the badge, not each of the events around it.
        ("instances", _instances_per_activity(
            scope, HistoricActivity.definition_id, HistoricActivity.activity_id, HistoricActivity.instance_id,
            HistoricActivity.end_time.is_(None), HistoricActivity.activity_type != "boundaryEvent")),
        ("overdue", _instances_per_activity(
            scope, Task.definition_id, Task.task_key, Task.instance_id, Task.due_at < now)),
        ("failed_jobs", select(Job.activity_id, func.count())
         .where(Job.retries == 0, scope.condition(Job.definition_id, Job.activity_id))
         .group_by(Job.activity_id)),
    )


def _instances_per_activity(scope: DiagramScope, definition, activity, instance, *where):
    """(activity id, distinct instances) of the rows in scope: one SELECT per part of the
    scope, each a seek of an index leading with the definition and the activity, united
    before counting. Given the parts' OR, the planners read every caller's rows."""
    parts = scope.parts(definition, activity) or [false()]
    rows = union_all(*(select(activity.label("activity_id"), instance.label("instance_id")).where(part, *where)
                       for part in parts)).subquery()
    return select(rows.c.activity_id, func.count(distinct(rows.c.instance_id))).group_by(rows.c.activity_id)


@dataclass(frozen=True)
class WaitingInstance:
    """An instance waiting at one activity: since when, its earliest due date there."""

    id: str
    process_key: str
    business_key: str | None
    business_name: str | None
    start_time: datetime
    waiting_since: datetime
    due_at: datetime | None
    overdue: bool
    incidents: int
    due_weekends_only: bool = False  # counted in working days through a year not in the calendar


def waiting_at(session: Session, actor: Actor, scope: DiagramScope, activity_id: str,
               now: datetime, page: Page) -> list[WaitingInstance]:
    """The instances waiting at `activity_id` (a badge's click), longest waiting first."""
    if not confidential.sees_step(actor, activity_id, None):
        return []
    since = func.min(HistoricActivity.start_time).label("since")
    waiting = session.execute(page.apply(
        select(HistoricActivity.instance_id, since)
        .where(HistoricActivity.end_time.is_(None), HistoricActivity.activity_id == activity_id,
               scope.condition(HistoricActivity.definition_id, HistoricActivity.activity_id))
        .group_by(HistoricActivity.instance_id).order_by(since, HistoricActivity.instance_id)
    )).all()
    ids = [row.instance_id for row in waiting]
    instances = {i.id: i for i in session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
    weekends_only = func.max(case((Task.due_weekends_only, 1), else_=0))
    due = {row[0]: row[1:] for row in session.execute(
        select(Task.instance_id, func.min(Task.due_at), weekends_only)
        .where(Task.instance_id.in_(ids), Task.task_key == activity_id).group_by(Task.instance_id))}
    incidents = dict(session.execute(
        select(Incident.instance_id, func.count())
        .where(Incident.instance_id.in_(ids), Incident.activity_id == activity_id,
               Incident.resolved_at.is_(None)).group_by(Incident.instance_id)).all())
    return [_waiting(instances[row.instance_id], row.since, due.get(row.instance_id, (None, 0)), now,
                     incidents.get(row.instance_id, 0)) for row in waiting]


def _waiting(instance: ProcessInstance, since: datetime, due: tuple, now: datetime,
             incidents: int) -> WaitingInstance:
    due_at, weekends_only = due
    return WaitingInstance(
        id=instance.id, process_key=instance.process_key, business_key=instance.business_key,
        business_name=instance.business_name, start_time=instance.start_time, waiting_since=since,
        due_at=due_at, overdue=due_at is not None and due_at < now, incidents=incidents,
        due_weekends_only=bool(weekends_only),
    )


@dataclass(frozen=True)
class ProcessView:
    """One process's cockpit page: its diagram's scope, its versions, the badges and, for a
    clicked activity, the instances waiting there."""

    scope: DiagramScope
    versions: list[int]
    counts: dict[str, ActivityCounts]
    activity_id: str | None
    waiting: list[WaitingInstance]

    @property
    def elements(self) -> dict[str, dict]:
        """The diagram's activities in drawing order: id -> {name, type}."""
        return json.loads(self.scope.definition.elements_json)


def process_view(ctx: AppContext, session: Session, actor: Actor, key: str, version: int | None,
                 activity_id: str | None, page: Page) -> ProcessView:
    scope = diagram_scope(ctx, session, actor, key, version)
    now = ctx.now()
    versions = list(session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == key)
                                    .order_by(ProcessDefinition.version.desc())))
    waiting = waiting_at(session, actor, scope, activity_id, now, page) if activity_id else []
    return ProcessView(scope, versions, activity_counts(session, actor, scope, now), activity_id, waiting)
