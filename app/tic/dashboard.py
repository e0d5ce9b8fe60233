"""The managers' dashboard (R29): the centers by status, field and region, grades and funding
per evaluation cycle, and progress against each five-year plan's target, whose numbers
(5–10 centers in the 14th plan) come from the decision table `tic_targets`.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import Center, CenterEvaluation, CenterStatus, Organization

from app.core.context import AppContext
from app.core.errors import Forbidden
from app.core.identity import Actor
from app.platform.decision_tables import decide
from app.tic import lifecycle

DASHBOARD_GROUPS = frozenset({"department", "department_leader", "manager", "agency", "admin"})
TARGETS_TABLE = "tic_targets"
GRADES = ("excellent", "good", "poor")


def summary(ctx: AppContext, session: Session, actor: Actor) -> dict:
    if not actor.in_any(DASHBOARD_GROUPS):
        raise Forbidden("看板仅供科技厅、管理者、受托专业机构和管理员查看 / the dashboard is for managers")
    now = ctx.now()
    centers = list(session.scalars(select(Center).order_by(Center.code)))
    return {
        "asOf": format_camunda(now),
        "centers": _centers(session, centers),
        "evaluations": _evaluations(session),
        "targets": _targets(ctx, session, centers, lifecycle.today(now).year),
    }


def _centers(session: Session, centers: list[Center]) -> dict:
    """All statuses count every center; fields, regions and supervising units count the
    centers still in the sequence."""
    listed = [c for c in centers if c.status != CenterStatus.DELISTED]
    supervisors = dict(session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({c.supervising_org_id for c in listed}))).all())
    return {
        "total": len(centers),
        "inSequence": len(listed),
        "byStatus": {status.value: sum(1 for c in centers if c.status == status) for status in CenterStatus},
        "byCategory": dict(Counter(c.category for c in listed)),
        "byField": dict(Counter(c.field for c in listed if c.field)),
        "byRegion": dict(Counter(c.region for c in listed if c.region)),
        "bySupervisingOrg": dict(Counter(supervisors.get(c.supervising_org_id, c.supervising_org_id)
                                         for c in listed)),
    }


def _evaluations(session: Session) -> list[dict]:
    """Per cycle number: how many centers got each grade and the funding awarded (R21, R27)."""
    rows = session.execute(
        select(CenterEvaluation.cycle, CenterEvaluation.grade, func.count(),
               func.coalesce(func.sum(CenterEvaluation.funding_wan), 0))
        .where(CenterEvaluation.grade.is_not(None))
        .group_by(CenterEvaluation.cycle, CenterEvaluation.grade)
        .order_by(CenterEvaluation.cycle)
    ).all()
    cycles: dict[int, dict] = {}
    for cycle, grade, count, funding in rows:
        entry = cycles.setdefault(cycle, {"cycle": cycle, "evaluated": 0,
                                          "grades": dict.fromkeys(GRADES, 0), "fundingWan": 0})
        entry["evaluated"] += count
        entry["grades"][grade] = count
        entry["fundingWan"] += int(funding)
    return list(cycles.values())


def _targets(ctx: AppContext, session: Session, centers: list[Center], year: int) -> list[dict]:
    table = decide(ctx, session, TARGETS_TABLE, {"asOfYear": year})
    plans = zip(table.get("planName", []), table.get("planStartYear", []), table.get("planEndYear", []),
                table.get("minCenters", []), table.get("maxCenters", []))
    return [_progress(centers, *plan) for plan in plans]


def _progress(centers: list[Center], name: str, start: int, end: int, minimum: int, maximum: int) -> dict:
    """Centers approved within the plan's years; those still in the sequence count toward it."""
    approved = [c for c in centers if start <= c.approved_on.year <= end]
    listed = sum(1 for c in approved if c.status != CenterStatus.DELISTED)
    status = "below" if listed < minimum else "above" if listed > maximum else "within"
    return {
        "plan": name, "startYear": start, "endYear": end,
        "minCenters": minimum, "maxCenters": maximum,
        "approved": len(approved), "inSequence": listed,
        "remainingToMinimum": max(minimum - listed, 0), "status": status,
    }
