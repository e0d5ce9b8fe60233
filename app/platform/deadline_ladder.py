"""The 催办 ladder: for every open task with a due date, a reminder some working days
before it, an overdue notice on it, then escalation some working days after it.

How many working days, per process and step, is the decision table `deadline_ladder`
(inputs `processKey`, `taskKey`; outputs `remindBeforeWorkdays`, 0 for none, and
`escalateAfterWorkdays`), which analysts edit like any table; without it every step takes
`DEFAULT_RUNGS`. The reminder and the overdue notice go to whoever holds the task, or its
candidates; escalation goes to the department's leaders for the department's own steps, and
to its officers for another unit's, who then urge that unit (催办, `task_actions.urge`).

The job executor runs `run_due_rungs` on every pass. Each rung is a row of
`deadline_notice` keyed by task and rung, inserted before anything is sent and skipped if it
exists: however many executors race, a rung fires once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.clock import SHANGHAI
from app.db import connection_of
from app.models import DeadlineNotice, InstanceState, ProcessInstance, Task
from app.working_days import (
    MAX_WORKING_DAYS, WEEKENDS_ONLY, WorkingCalendar, add_working_days, subtract_working_days, years_between,
)

from app.core import confidential, directory
from app.core.context import AppContext
from app.core.errors import ServiceError
from app.core.identity import Actor
from app.platform import history, model_names, notifications, statistics, task_actions, working_calendar
from app.platform.decision_tables import decide, latest_definition

log = logging.getLogger(__name__)

DECISION = "deadline_ladder"
REMINDER, OVERDUE, ESCALATED = "reminder", "overdue", "escalated"
# What the ladder does where no table is deployed: remind a working day before, escalate
# three working days after.
DEFAULT_RUNGS = (1, 3)
# Tasks looked at per pass, the nearest due first.
BATCH = 200
# The longest reminder window in calendar days: a task due later than this is not looked at yet.
HORIZON = timedelta(days=2 * MAX_WORKING_DAYS)
DEPARTMENT_STEP_GROUPS = frozenset({"department", "department_leader"})
_LEADERS, _OFFICERS = "department_leader", "department"


@dataclass(frozen=True)
class Rungs:
    remind_before: int  # working days; 0: no reminder
    escalate_after: int  # working days, at least 1


@dataclass(frozen=True)
class Rung:
    name: str
    at: datetime


def run_due_rungs(ctx: AppContext, limit: int = BATCH) -> int:
    """One pass: send every rung now due; returns how many were sent."""
    now = ctx.now()
    with ctx.db.read() as session:
        tasks = _open_tasks(session, now, limit)
        steps = {(t.process_key, t.task_key) for t in tasks}
        rungs = {step: rungs_of(ctx, session, *step) for step in steps}
        sent = _sent(session, [t.id for t in tasks])
        calendar = _calendar(session, tasks)
    return sum(_fire(ctx, task, rung, now) for task in tasks
               for rung in due_rungs(calendar, task.due_at, rungs[(task.process_key, task.task_key)], now)
               if (task.id, rung.name) not in sent)


def due_rungs(calendar: WorkingCalendar, due: datetime, rungs: Rungs, now: datetime) -> list[Rung]:
    """The rungs of a task due at `due` that are due by `now`: a reminder only while the
    task is not yet overdue (a late one would say nothing the overdue notice does not)."""
    found = []
    if rungs.remind_before and now < due:
        remind_at = subtract_working_days(calendar, due, rungs.remind_before).at
        if remind_at <= now:
            found.append(Rung(REMINDER, remind_at))
    if due <= now:
        found.append(Rung(OVERDUE, due))
        escalate_at = add_working_days(calendar, due, rungs.escalate_after).at
        if escalate_at <= now:
            found.append(Rung(ESCALATED, escalate_at))
    return found


def rungs_of(ctx: AppContext, session: Session, process_key: str, task_key: str) -> Rungs:
    """The step's ladder from the decision table (`DEFAULT_RUNGS` without one, or where its
    answer is not a working-day count the ladder can take)."""
    table = latest_definition(session, DECISION)
    if table is None:
        return Rungs(*DEFAULT_RUNGS)
    cache = ctx.caches.setdefault(DECISION, {})
    key = (table.id, process_key, task_key)
    if key not in cache:
        cache[key] = _decided(ctx, session, process_key, task_key)
    return cache[key]


def _decided(ctx: AppContext, session: Session, process_key: str, task_key: str) -> Rungs:
    try:
        outputs = decide(ctx, session, DECISION, {"processKey": process_key, "taskKey": task_key})
    except ServiceError as error:
        log.warning("deadline ladder table failed for %s/%s: %s", process_key, task_key, error.message)
        return Rungs(*DEFAULT_RUNGS)
    remind, escalate = outputs.get("remindBeforeWorkdays"), outputs.get("escalateAfterWorkdays")
    if not (_days(remind, 0) and _days(escalate, 1)):
        log.warning("deadline ladder table gave %r, %r for %s/%s", remind, escalate, process_key, task_key)
        return Rungs(*DEFAULT_RUNGS)
    return Rungs(int(remind), int(escalate))


def _days(value, least: int) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value)
            and least <= value <= MAX_WORKING_DAYS)


def _open_tasks(session: Session, now: datetime, limit: int) -> list:
    escalated = exists().where(DeadlineNotice.task_id == Task.id, DeadlineNotice.rung == ESCALATED)
    return list(session.execute(
        select(Task.id, Task.instance_id, Task.definition_id, Task.process_key, Task.task_key, Task.name, Task.due_at,
               Task.assignee, Task.candidate_groups, Task.candidate_users, Task.business_key, Task.business_name)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(Task.due_at.is_not(None), Task.due_at <= now + HORIZON, Task.suspended.is_(False),
               ProcessInstance.state == InstanceState.ACTIVE, ~escalated)
        .order_by(Task.due_at, Task.id).limit(limit)
    ))


def _sent(session: Session, task_ids: list[str]) -> set[tuple[str, str]]:
    if not task_ids:
        return set()
    rows = session.execute(select(DeadlineNotice.task_id, DeadlineNotice.rung)
                           .where(DeadlineNotice.task_id.in_(task_ids)))
    return {(task_id, rung) for task_id, rung in rows}


def _calendar(session: Session, tasks: list) -> WorkingCalendar:
    if not tasks:
        return WEEKENDS_ONLY
    dues = [t.due_at for t in tasks]
    # Around the due dates: the reminder counts back from them, escalation forward.
    years = years_between(min(dues) - HORIZON, max(dues) + HORIZON)
    return working_calendar.calendar(session, years)


def _fire(ctx: AppContext, task, rung: Rung, now: datetime) -> bool:
    """Send one rung in a command of its own, unless another executor has."""
    with ctx.db.command() as session:
        if not _claim(session, task, rung.name, now):
            return False
        recipients = _recipients(session, task, rung.name)
        step_en = model_names.english_names(ctx, session, task.definition_id).get(task.task_key)
        _notify(session, task, rung.name, recipients, step_en, now)
        history.append(session, task.instance_id, task.process_key, [history.event(
            f"deadline_{rung.name}", None, task.task_key, task.id, recipients=recipients,
            due=task.due_at.isoformat())], now)
    return True


def _claim(session: Session, task, rung: str, now: datetime) -> bool:
    connection = connection_of(session)
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    inserted = connection.execute(
        dialect.insert(DeadlineNotice).values(task_id=task.id, rung=rung, instance_id=task.instance_id,
                                              task_key=task.task_key, sent_at=now)
        .on_conflict_do_nothing().returning(DeadlineNotice.rung))
    # RETURNING, not rowcount: a write nothing reads may be held back until the commit.
    return inserted.first() is not None


def is_department_step(task) -> bool:
    """A step the department itself takes: offered to its groups (unscoped), or held by one
    of its staff."""
    groups = {g for g in (task.candidate_groups or "").split(",") if g}
    return bool(groups & DEPARTMENT_STEP_GROUPS)


def _recipients(session: Session, task, rung: str) -> list[str]:
    if rung != ESCALATED:
        return [task.assignee] if task.assignee else task_actions.candidate_user_ids(session, task)
    group = _LEADERS if is_department_step(task) else _OFFICERS
    return [person.id for person in directory.members(session, group)]


_WORDS = {
    REMINDER: (("即将到期：{step}", "Due soon: {step_en}"),
               ("{case}的「{step}」将于 {due} 到期，请及时办理。", "“{step_en}” of {case_en} is due {due}.")),
    OVERDUE: (("已逾期：{step}", "Overdue: {step_en}"),
              ("{case}的「{step}」已于 {due} 到期，尚未办理。", "“{step_en}” of {case_en} was due {due} and is not done.")),
    ESCALATED: (("逾期督办：{step}", "Escalated: {step_en}"),
                ("{case}的「{step}」已于 {due} 到期，逾期未办，请督促办理（催办）。",
                 "“{step_en}” of {case_en} was due {due} and is still not done: please urge it.")),
}


def _notify(session: Session, task, rung: str, recipients: list[str], step_en: str | None,
            now: datetime) -> None:
    (title_zh, title_en), (body_zh, body_en) = _WORDS[rung]
    step = task.name or task.task_key
    names = {"step": step, "step_en": step_en or step,
             "case": notifications.case_name(task.business_name, task.business_key),
             "case_en": notifications.case_name_en(task.business_name, task.business_key),
             "due": task.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")}
    kind = "escalated" if rung == ESCALATED else "deadline"
    notifications.send(connection_of(session), [
        notifications.message(user_id, kind, notifications.both(title_zh.format(**names), title_en.format(**names)),
                              notifications.both(body_zh.format(**names), body_en.format(**names)),
                              task.instance_id, task.id)
        for user_id in recipients], now)


# The cockpit ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverdueStep:
    process_key: str
    task_key: str
    name: str
    overdue: int
    escalated: int


def overdue_by_step(ctx: AppContext, session: Session, actor: Actor) -> list[OverdueStep]:
    """Open tasks past their due date, per process and step, with how many were escalated."""
    statistics.require_reader(actor)
    escalated = exists().where(DeadlineNotice.task_id == Task.id, DeadlineNotice.rung == ESCALATED)
    rows = session.execute(
        select(Task.process_key, Task.task_key, func.min(Task.name), func.count(),
               func.count().filter(escalated))
        .where(and_(Task.due_at.is_not(None), Task.due_at < ctx.now()))
        .group_by(Task.process_key, Task.task_key).order_by(func.count().desc(), Task.process_key, Task.task_key))
    return [OverdueStep(p, k, name or k, overdue, escalated_count)
            for p, k, name, overdue, escalated_count in rows if confidential.sees_step(actor, k, None)]

