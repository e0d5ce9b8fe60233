"""The work in hand, for the dashboard: applications by stage and by age, each expert's
reviews, and overdue tasks per organization.

Aggregates over the inbox projection (`task`, `task_candidate`), task history and the
instances' rows; no workflow is ever loaded, so the cost stays that of a few grouped
queries however many cases run.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    HistoricTask, InstanceState, Organization, ProcessInstance, Task, TaskCandidate, User, UserGroup,
)

from app.tic.applications import PROCESS_KEY as ESTABLISHMENT

EXPERT_REVIEW_PROCESS = "tic_expert_review"
EXPERT_REVIEW_STEP = "expert_review"
EXPERT_GROUP = "expert"
# The establishment's steps in the order an application meets them (DOMAIN.md); the expert
# panel's steps run in the called process under the application's business key.
STAGE_ORDER = ("fill_application", "recommender_review", "recommend_letter", "formal_review",
               "assign_experts", "expert_review", "site_visit", "approval_decision")
# An application's age in days since it was started: the upper bound of each band.
AGE_BANDS = ((30, "upTo30"), (90, "upTo90"), (180, "upTo180"), (365, "upTo365"))
OLDEST_BAND = "over365"
# Only the department's own groups offer tasks without an organization in their scope.
DEPARTMENT_KIND = "department"


def work_in_hand(session: Session, now: datetime) -> dict:
    return {
        "applications": _applications(session, now),
        "experts": _experts(session, now),
        "overdueTasks": _overdue_by_organization(session, now),
    }


def _running_applications():
    return and_(ProcessInstance.process_key == ESTABLISHMENT, ProcessInstance.state == InstanceState.ACTIVE)


def _applications(session: Session, now: datetime) -> dict:
    """Running applications per open step (one at two parallel steps counts at both) and
    per age band; those waiting with no open step (e.g. during 公示) are counted apart."""
    application = aliased(ProcessInstance)
    stages = session.execute(
        select(Task.task_key, func.min(Task.name), func.count(distinct(application.id))).select_from(Task)
        .join(application, application.business_key == Task.business_key)
        .where(application.process_key == ESTABLISHMENT, application.state == InstanceState.ACTIVE,
               Task.process_key.in_((ESTABLISHMENT, EXPERT_REVIEW_PROCESS)))
        .group_by(Task.task_key)
    ).all()
    with_step = session.scalar(
        select(func.count(distinct(application.id))).select_from(application)
        .join(Task, Task.business_key == application.business_key)
        .where(application.process_key == ESTABLISHMENT, application.state == InstanceState.ACTIVE,
               Task.process_key.in_((ESTABLISHMENT, EXPERT_REVIEW_PROCESS))))
    active = session.scalar(select(func.count()).select_from(ProcessInstance).where(_running_applications()))
    order = {key: index for index, key in enumerate(STAGE_ORDER)}
    stages = sorted(stages, key=lambda row: (order.get(row[0], len(order)), row[0]))
    return {
        "active": active, "withoutOpenStep": active - with_step,
        "byStage": [{"step": key, "name": name or key, "applications": n} for key, name, n in stages],
        "byAge": _ages(session, now),
    }


def _ages(session: Session, now: datetime) -> dict:
    band = case(*[(ProcessInstance.start_time > now - timedelta(days=days), name) for days, name in AGE_BANDS],
                else_=OLDEST_BAND)
    # Grouped through a subquery: PostgreSQL would not match two renderings of the same
    # parameterized CASE in SELECT and GROUP BY.
    banded = select(band.label("band")).where(_running_applications()).subquery()
    counts = dict(session.execute(select(banded.c.band, func.count()).group_by(banded.c.band)).all())
    return {name: counts.get(name, 0) for name in [name for _, name in AGE_BANDS] + [OLDEST_BAND]}


def _experts(session: Session, now: datetime) -> list[dict]:
    """Each active expert's open reviews (and how many are overdue) and reviews completed,
    busiest first. Who reviewed what stays confidential: only counts leave this function."""
    experts = session.execute(
        select(User.id, User.display_name, Organization.name)
        .join(UserGroup, UserGroup.user_id == User.id).join(Organization, Organization.id == User.organization_id)
        .where(UserGroup.group_id == EXPERT_GROUP, User.active)
    ).all()
    open_reviews = {who: (n, overdue) for who, n, overdue in session.execute(
        select(Task.assignee, func.count(), func.coalesce(func.sum(case((Task.due_at < now, 1), else_=0)), 0))
        .where(Task.task_key == EXPERT_REVIEW_STEP, Task.assignee.is_not(None)).group_by(Task.assignee))}
    completed = dict(session.execute(
        select(HistoricTask.completed_by, func.count())
        .where(HistoricTask.task_key == EXPERT_REVIEW_STEP, HistoricTask.completed_by.is_not(None))
        .group_by(HistoricTask.completed_by)).all())
    rows = [{"id": who, "name": name, "organization": org, "open": open_reviews.get(who, (0, 0))[0],
             "overdue": int(open_reviews.get(who, (0, 0))[1]), "completed": completed.get(who, 0)}
            for who, name, org in experts]
    return sorted(rows, key=lambda r: (-r["open"], -r["completed"], r["id"]))


def _overdue_by_organization(session: Session, now: datetime) -> list[dict]:
    """Open tasks past their due date per organization that has to act: the assignee's, or
    for a task still to be claimed the organization its candidate group is scoped to
    (`recommender:urumqi`), or the department for the department's own groups."""
    overdue = and_(Task.due_at.is_not(None), Task.due_at < now)
    counts: dict[str, int] = {}
    for org_id, n in session.execute(
            select(User.organization_id, func.count()).select_from(Task).join(User, User.id == Task.assignee)
            .where(overdue).group_by(User.organization_id)):
        counts[org_id] = counts.get(org_id, 0) + n
    department = session.scalar(select(Organization.id).where(Organization.kind == DEPARTMENT_KIND)
                                .order_by(Organization.id).limit(1))
    for group, n in session.execute(
            select(TaskCandidate.value, func.count(distinct(Task.id))).select_from(Task)
            .join(TaskCandidate, and_(TaskCandidate.task_id == Task.id, TaskCandidate.kind == "group"))
            .where(overdue, Task.assignee.is_(None)).group_by(TaskCandidate.value)):
        org_id = group.partition(":")[2] or department
        counts[org_id] = counts.get(org_id, 0) + n
    names = dict(session.execute(select(Organization.id, Organization.name)
                                 .where(Organization.id.in_(set(counts)))).all())
    rows = [{"organizationId": org_id, "organization": names.get(org_id, org_id), "tasks": n}
            for org_id, n in counts.items()]
    return sorted(rows, key=lambda r: (-r["tasks"], r["organization"] or ""))
