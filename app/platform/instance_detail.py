"""One instance as the cockpit shows it (流程实例): the path it took on its diagram, its
variables, every step with what was submitted, its history events, the steps of the
processes it called, its jobs and incidents. Read from the projection and history rows;
no workflow is loaded. Confidential steps and variables are left out for whoever may not
read them (`confidential`, through `process_instances.visible_variables`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Deployment, HistoricActivity, HistoryEvent, ProcessDefinition, ProcessInstance

from app.core import confidential
from app.core.context import AppContext
from app.core.identity import Actor
from app.core.paging import Page
from app.platform import (
    decision_history, history_queries, instance_search, instance_store, process_instances, queries, statistics,
)
from app.platform.query_criteria import Query

# A case's rows the page shows at most of each kind; the procedures take far fewer steps.
ROW_LIMIT = 1000


@dataclass(frozen=True)
class Step:
    """A user task as it was done: who, when, and what it submitted (as the reader may see)."""

    key: str
    name: str
    assignee: str | None
    completed_by: str | None
    start_time: datetime
    end_time: datetime | None
    due_at: datetime | None
    outcome: str | None
    submitted: dict


@dataclass(frozen=True)
class Event:
    kind: str
    user_id: str | None
    activity_id: str | None
    at: datetime
    details: dict


@dataclass(frozen=True)
class CalledProcess:
    """The run of a call activity: the process it called and the activities of it."""

    activity_id: str
    name: str
    key: str
    activities: list


@dataclass(frozen=True)
class InstanceDetail:
    instance: ProcessInstance
    definition: ProcessDefinition
    state: str
    values: dict
    types: dict
    activities: list
    finished_ids: list[str]
    active_ids: list[str]
    end_event: HistoricActivity | None
    steps: list[Step]
    events: list[Event]
    called: list[CalledProcess]
    jobs: list
    incidents: list
    decisions: list[decision_history.Decided]

    def value(self, name: str):
        return self.values.get(name)


def instance_detail(ctx: AppContext, session: Session, actor: Actor, instance_id: str) -> InstanceDetail:
    statistics.require_reader(actor)
    instance = process_instances.get_instance(session, actor, instance_id)
    definition = instance_store.definition_of(ctx, session, instance.definition_id)
    values, types = process_instances.visible_variables(actor, instance)
    page = Page(0, ROW_LIMIT)
    of_instance = Query({"processInstanceId": instance.id})
    activities = queries.historic_activities(session, actor, of_instance, page)
    path = _path(activities, definition)
    events = _events(session, actor, instance.id)
    return InstanceDetail(
        instance=instance, definition=definition,
        state=instance_search.state_of(instance, any(e.kind == statistics.WITHDRAWN_EVENT for e in events)),
        values=values, types=types, activities=activities,
        finished_ids=path.finished, active_ids=path.active, end_event=path.end,
        steps=_steps(actor, history_queries.historic_tasks(session, actor, of_instance, page)),
        events=events, called=_called(ctx, session, definition, activities),
        jobs=queries.list_jobs(session, actor, of_instance, page),
        incidents=queries.list_incidents(session, actor, of_instance, page),
        decisions=decision_history.of_instance(session, actor, instance.id, page),
    )


@dataclass(frozen=True)
class Path:
    """The way an instance took through its own diagram (not a called process's), as the
    actor may see it: finished and active activities, the end event reached."""

    finished: list[str]
    active: list[str]
    end: HistoricActivity | None

    def to_json(self) -> dict:
        return {"finished": self.finished, "active": self.active,
                "end": self.end.activity_id if self.end else None}


def paths_of(ctx: AppContext, session: Session, actor: Actor, definition: ProcessDefinition,
             instance_id: str) -> tuple[Path, dict[str, dict]]:
    """The instance's path through its own diagram, and through each process it calls (by
    key: a called process runs inside the instance, its rows are the caller's)."""
    activities = queries.historic_activities(session, actor, Query({"processInstanceId": instance_id}),
                                             Page(0, ROW_LIMIT))
    own = set(json.loads(definition.elements_json))
    called = {}
    for key in sorted(set(statistics.calls_of(ctx, definition).values())):
        version = called_definition(session, definition, key)
        if version is not None:
            inside = set(json.loads(version.elements_json)) - own
            called[key] = _path([a for a in activities if a.activity_id in inside], version).to_json()
    return _path(activities, definition), called


def called_definition(session: Session, caller: ProcessDefinition, key: str) -> ProcessDefinition | None:
    """The version of `key` the caller was deployed against: the latest deployed by then
    (call activities bind the latest version at deployment)."""
    deployed = select(Deployment.deployed_at).where(Deployment.id == caller.deployment_id).scalar_subquery()
    return session.scalar(
        select(ProcessDefinition).join(Deployment, Deployment.id == ProcessDefinition.deployment_id)
        .where(ProcessDefinition.key == key, Deployment.deployed_at <= deployed)
        .order_by(ProcessDefinition.version.desc()).limit(1))


def _path(activities: list, definition: ProcessDefinition) -> Path:
    own = set(json.loads(definition.elements_json))
    ends = [a for a in activities if a.activity_type == "endEvent" and a.activity_id in own and a.end_time]
    return Path(sorted({a.activity_id for a in activities if a.end_time and not a.canceled} & own),
                sorted({a.activity_id for a in activities if a.end_time is None} & own),
                ends[-1] if ends else None)


def _steps(actor: Actor, rows) -> list[Step]:
    return [Step(
        key=row.task_key, name=row.name or row.task_key, assignee=row.assignee, completed_by=row.completed_by,
        start_time=row.start_time, end_time=row.end_time, due_at=row.due_at, outcome=row.delete_reason,
        submitted=confidential.step_values(actor, row.assignee, json.loads(row.variables_json or "{}")),
    ) for row in rows]


def _events(session: Session, actor: Actor, instance_id: str) -> list[Event]:
    """The instance's history events, a confidential step's left out for those who may not
    see it, and the names of confidential variables an event lists."""
    rows = session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
                           .order_by(HistoryEvent.id).limit(ROW_LIMIT))
    found = []
    for row in rows:
        if not confidential.sees_step(actor, row.activity_id, None):
            continue
        details = json.loads(row.details_json or "{}")
        for key in ("variables_changed", "names"):
            if key in details:
                details[key] = list(confidential.visible_values(actor, dict.fromkeys(details[key])))
        # The values are the variables' history (REST /history/detail), not the page's.
        details.pop("variable_values", None)
        details.pop("variable_types", None)
        found.append(Event(row.event_type, row.user_id, row.activity_id, row.occurred_at, details))
    return found


def _called(ctx: AppContext, session: Session, definition: ProcessDefinition, activities: list) -> list[CalledProcess]:
    """Each call activity the instance entered, with the called process's activities it ran
    (they are the caller's rows: the called process runs inside the instance)."""
    calls = statistics.calls_of(ctx, definition)
    found = []
    for activity in activities:
        key = calls.get(activity.activity_id)
        if key is None:
            continue
        called_ids = _elements_of(session, key) - set(json.loads(definition.elements_json))
        inner = [a for a in activities if a.activity_id in called_ids and a.start_time >= activity.start_time
                 and (activity.end_time is None or a.start_time <= activity.end_time)]
        found.append(CalledProcess(activity.activity_id, activity.activity_name or activity.activity_id, key, inner))
    return found


def _elements_of(session: Session, key: str) -> set[str]:
    elements = session.scalar(select(ProcessDefinition.elements_json).where(ProcessDefinition.key == key)
                              .order_by(ProcessDefinition.version.desc()).limit(1))
    return set(json.loads(elements or "{}"))
