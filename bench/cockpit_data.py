"""The cockpit benchmark's data: 100,000 instances of the project's real processes and
1,000,000 history rows, written straight into the tables (not run through the engine).

The distribution (also in the README):
- processes: tic_establishment 50 %, tic_evaluation 30 %, tic_major_change 20 %; the first
  in three versions, the others in two, each version the instances started in its share of
  the two years (the project's diagrams, deployed through the deployment service; a later
  version differs by its `camunda:versionTag`);
- start times: uniform over the two years before the load; an ended instance ends 1 to
  180 days after its start (not after the load);
- states: running 40 %, completed 45 %, withdrawn 5 % (ended by the withdrawal, with its
  `instance_withdrawn` event), terminated 10 %;
- current step: uniform over the process's user tasks and, for the two that call
  tic_expert_review, its three user tasks (then the call activity is open too); a running
  instance's open user task is overdue for 25 % of them (due 1 to 60 days ago), else due
  within 30 days;
- units: tianmian applies for 2 % of the cases, 300 other units for the rest evenly;
  supervising units: 14, evenly;
- per instance exactly 10 history rows: activity rows (the start event, up to two steps
  passed, the current step, open while running with the withdrawal boundary event waiting
  beside it; the end event once ended), a task row per user task reached (the current one
  open while running) and history events for the rest (started, the end or withdrawal,
  then task completions);
- jobs: a timer at the current step for 20 % of the running instances; a service job out
  of retries with its open failedJob incident for 1 %; resolved incidents for 1 % of the
  ended ones.
"""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.models import (
    HistoricActivity, HistoricTask, HistoryEvent, Incident, InstanceState, Job, JobType,
    Organization, ProcessDefinition, ProcessInstance, Task,
)

INSTANCES = 100_000
HISTORY_ROWS_PER_INSTANCE = 10
PROCESSES = (("tic_establishment", 0.5, 3), ("tic_evaluation", 0.3, 2), ("tic_major_change", 0.2, 2))
CALLED = "tic_expert_review"
STATES = (("running", 0.40), ("completed", 0.45), ("withdrawn", 0.05), ("terminated", 0.10))
OVERDUE_SHARE = 0.25
TIMER_SHARE, FAILED_SHARE, RESOLVED_SHARE = 0.20, 0.01, 0.01
BIG_APPLICANT, BIG_APPLICANT_SHARE = "tianmian", 0.02
APPLICANTS, SUPERVISORS = 300, 14
SPAN = timedelta(days=730)
BATCH = 5_000
END_STATE = {"completed": InstanceState.COMPLETED, "withdrawn": InstanceState.EXTERNALLY_TERMINATED,
             "terminated": InstanceState.EXTERNALLY_TERMINATED}
END_EVENT = {"completed": "instance_completed", "withdrawn": "instance_withdrawn",
             "terminated": "instance_terminated"}


def tagged_diagram(files: dict[str, bytes], key: str, version: int) -> dict[str, bytes]:
    """`key`'s diagram alone, tagged as `version`: deployed, another version of it."""
    name = f"{key}.bpmn"
    return {name: files[name].replace(f'<bpmn:process id="{key}" '.encode(),
                                      f'<bpmn:process id="{key}" camunda:versionTag="bench-{version}" '.encode(), 1)}


@dataclass(frozen=True)
class Step:
    """A user task an instance can wait at; `call` is the call activity it runs inside."""

    id: str
    name: str
    call: str | None = None


@dataclass(frozen=True)
class Version:
    """A deployed version: its start and end events, steps and withdrawal boundary events."""

    id: str
    key: str
    start: str
    end: str
    steps: tuple[Step, ...]
    boundaries: frozenset[str]


def versions_of(session) -> dict[str, list[Version]]:
    """The deployed versions of the benchmark's processes, oldest first."""
    called = _elements(session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == CALLED)))
    found: dict[str, list[Version]] = {}
    for definition in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.version)
                                      .where(ProcessDefinition.key.in_([key for key, *_rest in PROCESSES]))):
        found.setdefault(definition.key, []).append(_version(definition, called))
    return found


def _elements(definition: ProcessDefinition) -> dict[str, list[tuple[str, str]]]:
    """A diagram's (id, name) of each element type, in drawing order."""
    found: dict[str, list[tuple[str, str]]] = {}
    for element_id, element in json.loads(definition.elements_json).items():
        found.setdefault(element["type"], []).append((element_id, element["name"]))
    return found


def _version(definition: ProcessDefinition, called: dict) -> Version:
    elements = _elements(definition)
    steps = [Step(*task) for task in elements["userTask"]]
    for call, _name in elements.get("callActivity", []):
        steps += [Step(*task, call) for task in called["userTask"]]
    return Version(definition.id, definition.key, elements["startEvent"][0][0], elements["endEvent"][-1][0],
                   tuple(steps), frozenset(i for i, _name in elements.get("boundaryEvent", [])))


TABLES = tuple(model.__table__ for model in (
    ProcessInstance, HistoricActivity, HistoricTask, HistoryEvent, Task, Job, Incident))


def load(conn, versions: dict[str, list[Version]], now: datetime, seed: int = 2026) -> None:
    """The organizations, then the instances and their rows, BATCH instances at a time."""
    rng = random.Random(seed)
    conn.execute(insert(Organization.__table__), _organizations())
    for first in range(0, INSTANCES, BATCH):
        rows: dict = {table: [] for table in TABLES}
        for n in range(first, min(first + BATCH, INSTANCES)):
            _instance(rows, rng, versions, now, n)
        for table, values in rows.items():
            if values:
                conn.execute(insert(table), values)


def row_counts(conn) -> dict[str, int]:
    """How many rows each table got: what the benchmark prints beside its figures."""
    return {table.name: conn.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _organizations() -> list[dict]:
    return ([dict(id=f"unit{n:03d}", name=f"基准申报单位{n:03d}", kind="enterprise") for n in range(APPLICANTS)]
            + [dict(id=f"region{n:02d}", name=f"基准推荐单位{n:02d}", kind="prefecture_government")
               for n in range(SUPERVISORS)])


def _pick(rng: random.Random, shares) -> str:
    draw, total = rng.random(), 0.0
    for name, share, *_rest in shares:
        total += share
        if draw < total:
            return name
    return shares[-1][0]


def _instance(rows: dict, rng: random.Random, versions: dict[str, list[Version]], now: datetime, n: int) -> None:
    key = _pick(rng, PROCESSES)
    age = rng.random()
    start = now - SPAN * age
    # The oldest instances run the oldest version.
    version = versions[key][min(int((1 - age) * len(versions[key])), len(versions[key]) - 1)]
    state = _pick(rng, STATES)
    end = None if state == "running" else min(start + timedelta(days=rng.uniform(1, 180)), now)
    instance_id = _uuid(rng)
    applicant = BIG_APPLICANT if rng.random() < BIG_APPLICANT_SHARE else f"unit{rng.randrange(APPLICANTS):03d}"
    rows[ProcessInstance.__table__].append(dict(
        id=instance_id, definition_id=version.id, process_key=key, business_key=f"BENCH-{n:06d}",
        business_name=f"基准技术创新中心{n:06d}", state=END_STATE.get(state, InstanceState.ACTIVE),
        serializer_version="1", state_json="{}", variables_json="{}", waits_json="{}", started_by=None,
        owner_org=applicant, applicant_org=applicant, supervising_org=f"region{rng.randrange(SUPERVISORS):02d}",
        start_time=start, end_time=end, end_reason="管理员终止" if state == "terminated" else None, version=1))
    at = rng.randrange(len(version.steps))
    path = [version.steps[i] for i in range(max(0, at - 2), at + 1)]
    case = Case(rows, rng, version, instance_id, f"BENCH-{n:06d}", start, end, now)
    case.activities(path)
    case.tasks(path)
    case.events(state)
    if state == "running":
        case.runtime(path[-1])
    elif rng.random() < RESOLVED_SHARE:
        case.incident(path[-1], resolved=True)


@dataclass
class Case:
    """One instance's rows, spaced evenly between its start and its end (or now)."""

    rows: dict
    rng: random.Random
    version: Version
    id: str
    business_key: str
    start: datetime
    end: datetime | None
    now: datetime
    activity_rows: int = 0
    task_ids: tuple[str, ...] = ()

    def at(self, step: int, of: int) -> datetime:
        return self.start + ((self.end or self.now) - self.start) * step / of

    def activities(self, path: list[Step]) -> None:
        rows = [(self.version.start, "startEvent", None, self.start, self.start)]
        for i, step in enumerate(path):
            last = i == len(path) - 1
            closed = None if last and self.end is None else self.at(i + 1, len(path) + 1)
            if step.call and last and self.end is None:
                rows.append((step.call, "callActivity", None, self.at(i, len(path) + 1), closed))
            rows.append((step.id, "userTask", step.name, self.at(i, len(path) + 1), closed))
        if self.end is not None:
            rows.append((self.version.end, "endEvent", None, self.end, self.end))
        elif (boundary := f"withdrawn_at_{path[-1].call or path[-1].id}") in self.version.boundaries:
            rows.append((boundary, "boundaryEvent", "申报单位撤回", rows[-1][3], None))
        self.rows[HistoricActivity.__table__] += [dict(
            id=_uuid(self.rng), instance_id=self.id, process_key=self.version.key, definition_id=self.version.id,
            activity_id=activity_id, activity_name=name, activity_type=kind, assignee=None,
            start_time=started, end_time=ended, canceled=False,
        ) for activity_id, kind, name, started, ended in rows]
        self.activity_rows = len(rows)

    def tasks(self, path: list[Step]) -> None:
        self.task_ids = tuple(_uuid(self.rng) for _step in path)
        self.rows[HistoricTask.__table__] += [dict(
            id=task_id, instance_id=self.id, process_key=self.version.key, definition_id=self.version.id,
            business_key=self.business_key, task_key=step.id, name=step.name, candidate_groups="department",
            start_time=self.at(i, len(path) + 1),
            end_time=None if i == len(path) - 1 and self.end is None else self.at(i + 1, len(path) + 1),
            completed_by="officer", due_at=None,
        ) for i, (task_id, step) in enumerate(zip(self.task_ids, path))]

    def events(self, state: str) -> None:
        kinds = ["instance_started"] + ([END_EVENT[state]] if state in END_EVENT else [])
        room = HISTORY_ROWS_PER_INSTANCE - self.activity_rows - len(self.task_ids)
        kinds += ["task_completed"] * (room - len(kinds))
        self.rows[HistoryEvent.__table__] += [dict(
            instance_id=self.id, process_key=self.version.key, event_type=kind, activity_id=None,
            task_id=None, user_id="officer", occurred_at=self.at(i, len(kinds)), details_json=None,
        ) for i, kind in enumerate(kinds)]

    def runtime(self, step: Step) -> None:
        """The open task the instance waits on, and its jobs and incident if it has them."""
        overdue = self.rng.random() < OVERDUE_SHARE
        due = self.now + timedelta(days=-self.rng.uniform(1, 60) if overdue else self.rng.uniform(1, 30))
        self.rows[Task.__table__].append(dict(
            id=self.task_ids[-1], instance_id=self.id, definition_id=self.version.id,
            process_key=self.version.key, business_key=self.business_key, business_name=None, task_key=step.id,
            name=step.name, candidate_groups="department", created_at=self.at(len(self.task_ids) - 1,
                                                                              len(self.task_ids) + 1),
            due_at=due, owner_org=None, version=1))
        if self.rng.random() < TIMER_SHARE:
            self.job(step, JobType.TIMER, retries=3)
        if self.rng.random() < FAILED_SHARE:
            self.incident(step, resolved=False)

    def job(self, step: Step, kind: JobType, retries: int) -> str:
        job_id = _uuid(self.rng)
        self.rows[Job.__table__].append(dict(
            id=job_id, job_type=kind, instance_id=self.id, definition_id=self.version.id,
            process_key=self.version.key, activity_id=step.id, execution_id=job_id, due_at=self.now,
            retries=retries, exception_message="连接超时" if retries == 0 else None, created_at=self.start))
        return job_id

    def incident(self, step: Step, resolved: bool) -> None:
        job_id = None if resolved else self.job(step, JobType.SERVICE, retries=0)
        self.rows[Incident.__table__].append(dict(
            id=_uuid(self.rng), incident_type="failedJob", instance_id=self.id, definition_id=self.version.id,
            process_key=self.version.key, activity_id=step.id, job_id=job_id, message="连接超时",
            created_at=self.start, resolved_at=self.end if resolved else None))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
