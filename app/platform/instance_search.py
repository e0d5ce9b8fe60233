"""The cockpit's instance list (流程实例): every instance filtered by process, version,
state, current step, business key, applying and supervising unit, start date and overdue;
sorted and paged, and the same rows for an export.

One filtered query over `process_instance` (indexed for it) and, for the rows of one page
only, their current steps, overdue flags, versions and unit names: no workflow is loaded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, exists, func, literal, select
from sqlalchemy.orm import Session

from app.models import (
    HistoricActivity, HistoryEvent, InstanceState, Organization, ProcessDefinition,
    ProcessInstance, Task,
)

from app.core import confidential
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.core.paging import Page
from app.platform import statistics

STATES = ("running", "completed", "withdrawn", "terminated")
SORTS = {
    "started": ProcessInstance.start_time, "ended": ProcessInstance.end_time,
    "businessKey": ProcessInstance.business_key, "process": ProcessInstance.process_key,
}
# An export is one workbook a person reads: past this many rows, narrow the filter.
EXPORT_LIMIT = 10_000
# Rows an export reads per query, so a large one never holds them all in one result.
EXPORT_BATCH = 1000
# The list counts its matches up to here ("10000+" beyond): counting further costs a visit
# of every match and tells a reader nothing more.
COUNT_LIMIT = 10_000
# Past this many matches of a filter on another table, a page in start order is found by
# probing instance after instance in that order rather than by sorting every match.
DENSE = 1_000


@dataclass(frozen=True)
class InstanceQuery:
    """What the list is filtered and sorted by; None: not filtered."""

    process_key: str | None = None
    version: int | None = None
    state: str | None = None
    activity_id: str | None = None
    business_key: str | None = None
    applicant_org: str | None = None
    supervising_org: str | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    overdue: bool = False
    sort: str = "started"
    descending: bool = True


@dataclass(frozen=True)
class InstanceRow:
    id: str
    process_key: str
    process_name: str | None
    version: int
    business_key: str | None
    business_name: str | None
    state: str
    applicant: str | None
    supervisor: str | None
    start_time: datetime
    end_time: datetime | None
    current_steps: list[tuple[str, str]]  # (activity id, stored name) of each open step
    overdue: bool
    definition_id: str = ""


def search(session: Session, actor: Actor, q: InstanceQuery, page: Page,
           now: datetime) -> tuple[list[InstanceRow], int]:
    """One page of the matching instances, and how many match (COUNT_LIMIT + 1: more)."""
    statistics.require_reader(actor)
    conditions = _conditions(session, q, now)
    # A constant, not the id: the filter's index alone then answers (the id is not in it).
    total = session.scalar(select(func.count()).select_from(
        select(literal(1)).select_from(ProcessInstance).where(*conditions).limit(COUNT_LIMIT + 1).subquery()))
    if total > DENSE and q.sort == "started":
        conditions = _conditions(session, q, now, probe=True)
    order = SORTS[q.sort].desc() if q.descending else SORTS[q.sort].asc()
    instances = list(session.scalars(page.apply(
        select(ProcessInstance).where(*conditions).order_by(order, ProcessInstance.id))))
    return _rows(session, actor, instances, now), total


def export(session: Session, actor: Actor, q: InstanceQuery, now: datetime) -> list[InstanceRow]:
    """Every matching instance up to EXPORT_LIMIT, in the list's order, a page at a time."""
    rows: list[InstanceRow] = []
    while len(rows) < EXPORT_LIMIT:
        page = Page(len(rows), min(EXPORT_BATCH, EXPORT_LIMIT - len(rows)))
        found, _total = search(session, actor, q, page, now)
        rows += found
        if len(found) < page.limit:
            break
    return rows


def _conditions(session: Session, q: InstanceQuery, now: datetime, probe: bool = False) -> list:
    _check(q)
    equal = ((ProcessInstance.process_key, q.process_key), (ProcessInstance.applicant_org, q.applicant_org),
             (ProcessInstance.supervising_org, q.supervising_org))
    found = [column == value for column, value in equal if value]
    if q.version is not None:
        found.append(ProcessInstance.definition_id == _definition_id(session, q.process_key, q.version))
    if q.state:
        found.append(_state_condition(q.state))
    if q.activity_id:
        found.append(_related(select(HistoricActivity.instance_id).where(
            HistoricActivity.activity_id == q.activity_id, HistoricActivity.end_time.is_(None)), probe))
    if q.business_key:
        found.append(ProcessInstance.business_key.startswith(q.business_key, autoescape=True))
    if q.started_from:
        found.append(ProcessInstance.start_time >= q.started_from)
    if q.started_before:
        found.append(ProcessInstance.start_time < q.started_before)
    if q.overdue:
        found.append(_related(select(Task.instance_id).where(Task.due_at < now), probe))
    return found


def _related(instance_ids, probe: bool):
    """The instances `instance_ids` (a SELECT of instance ids from another table) names.

    Read from that side (IN), through indexes that lead with the step and the due date, a
    page gathers every match and sorts them: what counting needs, and cheap for few matches.
    Probed per instance (EXISTS), a page reads the list in start order until it is full:
    cheap for many (`search` decides by the count; SQLite keeps no statistics to decide by)."""
    if probe:
        return instance_ids.where(instance_ids.selected_columns[0] == ProcessInstance.id).exists()
    return ProcessInstance.id.in_(instance_ids)


def _check(q: InstanceQuery) -> None:
    if q.state is not None and q.state not in STATES:
        raise _bad("state", f"应为 {'、'.join(STATES)} 之一")
    if q.sort not in SORTS:
        raise _bad("sort", f"应为 {'、'.join(SORTS)} 之一")
    if q.version is not None and not q.process_key:
        raise _bad("version", "按版本筛选须同时指定流程")


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest(f"参数 {field}：{message} / invalid {field}", [{"field": field, "message": message}])


def _definition_id(session: Session, key: str, version: int) -> str:
    """The definition of that version, or one no instance has (an empty list, not an error)."""
    return session.scalar(select(ProcessDefinition.id).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version)) or ""


def _withdrawn():
    return exists().where(HistoryEvent.instance_id == ProcessInstance.id,
                          HistoryEvent.event_type == statistics.WITHDRAWN_EVENT)


def _state_condition(state: str):
    ended_by_force = ProcessInstance.state.in_(statistics.ENDED_BY_FORCE)
    return {
        "running": ProcessInstance.state == InstanceState.ACTIVE,
        "completed": (ProcessInstance.state == InstanceState.COMPLETED) & ~_withdrawn(),
        "withdrawn": (ProcessInstance.state != InstanceState.ACTIVE) & _withdrawn(),
        "terminated": ended_by_force & ~_withdrawn(),
    }[state]


def state_of(instance: ProcessInstance, withdrawn: bool) -> str:
    """The instance's state as the cockpit names it (one of STATES)."""
    if instance.state == InstanceState.ACTIVE:
        return "running"
    if withdrawn:
        return "withdrawn"
    return "completed" if instance.state == InstanceState.COMPLETED else "terminated"


def is_step(activity_type: str) -> bool:
    """A step someone or something works on: not an event waiting beside it, not a gateway,
    not the process itself (its names are kept beside its steps')."""
    return activity_type != "process" and not activity_type.endswith(("Event", "Gateway"))


def _rows(session: Session, actor: Actor, instances: list, now: datetime) -> list[InstanceRow]:
    ids = [i.id for i in instances]
    steps: dict[str, list[tuple[str, str]]] = {}
    for instance_id, activity_id, name, activity_type in session.execute(
        select(HistoricActivity.instance_id, HistoricActivity.activity_id, HistoricActivity.activity_name,
               HistoricActivity.activity_type)
        .where(HistoricActivity.instance_id.in_(ids), HistoricActivity.end_time.is_(None))
        .order_by(HistoricActivity.start_time)
    ):
        if is_step(activity_type) and confidential.sees_step(actor, activity_id, None):
            steps.setdefault(instance_id, []).append((activity_id, name or activity_id))
    overdue = set(session.scalars(select(Task.instance_id).where(Task.instance_id.in_(ids), Task.due_at < now)))
    withdrawn = set(session.scalars(select(HistoryEvent.instance_id).where(
        HistoryEvent.instance_id.in_(ids), HistoryEvent.event_type == statistics.WITHDRAWN_EVENT)))
    definitions = {d.id: d for d in session.execute(select(
        ProcessDefinition.id, ProcessDefinition.name, ProcessDefinition.version).where(
        ProcessDefinition.id.in_({i.definition_id for i in instances})))}
    units = dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(
        {i.applicant_org for i in instances} | {i.supervising_org for i in instances}))).all())
    return [InstanceRow(
        id=i.id, process_key=i.process_key, process_name=definitions[i.definition_id].name,
        version=definitions[i.definition_id].version, business_key=i.business_key,
        business_name=i.business_name, state=state_of(i, i.id in withdrawn),
        applicant=units.get(i.applicant_org, i.applicant_org),
        supervisor=units.get(i.supervising_org, i.supervising_org), start_time=i.start_time,
        end_time=i.end_time, current_steps=steps.get(i.id, []), overdue=i.id in overdue,
        definition_id=i.definition_id,
    ) for i in instances]


@dataclass(frozen=True)
class ProcessChoice:
    key: str
    name: str | None
    versions: list[int]
    steps: list[tuple[str, str]]
    definition_id: str = ""  # the latest version's, which names the steps


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filters offer: processes with their versions and steps (of the
    latest version), and the units that have cases."""

    processes: list[ProcessChoice]
    applicants: list[tuple[str, str]]
    supervisors: list[tuple[str, str]]


def filter_choices(session: Session, actor: Actor) -> FilterChoices:
    statistics.require_reader(actor)
    latest: dict[str, Row] = {}
    versions: dict[str, list[int]] = {}
    # The columns the choices show, not the definitions' diagrams and specs.
    for definition in session.execute(select(
            ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.name,
            ProcessDefinition.elements_json)
            .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())):
        latest.setdefault(definition.key, definition)
        versions.setdefault(definition.key, []).append(definition.version)
    processes = [ProcessChoice(key, d.name, versions[key], [
        (element_id, element["name"] or element_id)
        for element_id, element in json.loads(d.elements_json).items() if is_step(element["type"])
    ], d.id) for key, d in latest.items()]
    return FilterChoices(processes, _units(session, ProcessInstance.applicant_org),
                         _units(session, ProcessInstance.supervising_org))


def _units(session: Session, column) -> list[tuple[str, str]]:
    """The organizations named in `column` of some instance, by name: one probe of the
    column's index per organization, not a pass over every instance for its distinct units."""
    return [tuple(row) for row in session.execute(
        select(Organization.id, Organization.name)
        .where(exists().where(column == Organization.id))
        .order_by(Organization.name))]
