"""The managers' dashboard (R29): the centers by status, category, field, region and
supervising unit, grades and funding per evaluation cycle, progress against each five-year
plan's target, whose numbers (5–10 centers in the 14th plan) come from the decision table
`tic_targets`, and the work in hand (`app.tic.workload`). Every figure is one aggregate
query: the dashboard's cost does not grow with the centers' histories.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import Center, CenterEvaluation, CenterStatus, Organization

from app.core.context import AppContext
from app.core.errors import Forbidden
from app.core.identity import Actor
from app.platform.decision_tables import decide
from app.tic import lifecycle, workload

DASHBOARD_GROUPS = frozenset({"department", "department_leader", "manager", "agency", "admin"})
TARGETS_TABLE = "tic_targets"
GRADES = ("excellent", "good", "poor")
_IN_SEQUENCE = Center.status != CenterStatus.DELISTED


def sees_dashboard(actor: Actor) -> bool:
    """The department side reads the dashboard: its staff, managers, the agency, admins."""
    return actor.in_any(DASHBOARD_GROUPS)


def summary(ctx: AppContext, session: Session, actor: Actor) -> dict:
    if not sees_dashboard(actor):
        raise Forbidden("看板仅供科技厅、管理者、受托专业机构和管理员查看 / the dashboard is for managers")
    now = ctx.now()
    return {
        "asOf": format_camunda(now),
        "centers": _centers(session),
        "evaluations": _evaluations(session),
        "targets": _targets(ctx, session, lifecycle.today(now).year),
        **workload.work_in_hand(session, now),
    }


def _centers(session: Session) -> dict:
    """All statuses count every center; categories, fields, regions and supervising units
    count the centers still in the sequence."""
    by_status = dict(session.execute(select(Center.status, func.count()).group_by(Center.status)).all())
    supervisors = (select(func.coalesce(Organization.name, Center.supervising_org_id), func.count())
                   .select_from(Center)
                   .outerjoin(Organization, Organization.id == Center.supervising_org_id)
                   .where(_IN_SEQUENCE).group_by(Organization.name, Center.supervising_org_id))
    return {
        "total": sum(by_status.values()),
        "inSequence": sum(n for status, n in by_status.items() if status != CenterStatus.DELISTED),
        "byStatus": {status.value: by_status.get(status, 0) for status in CenterStatus},
        "byCategory": _counted(session, Center.category),
        "byField": _counted(session, Center.field),
        "byRegion": _counted(session, Center.region),
        "bySupervisingOrg": _summed(session.execute(supervisors).all()),
    }


def _counted(session: Session, column) -> dict:
    query = (select(column, func.count()).where(_IN_SEQUENCE, column.is_not(None))
             .group_by(column).order_by(column))
    return dict(session.execute(query).all())


def _summed(rows) -> dict:
    """Counts per name; two organizations may only share a name if one is missing."""
    counts: dict = {}
    for name, count in rows:
        counts[name] = counts.get(name, 0) + count
    return counts


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


def _targets(ctx: AppContext, session: Session, year: int) -> list[dict]:
    table = decide(ctx, session, TARGETS_TABLE, {"asOfYear": year})
    plans = zip(table.get("planName", []), table.get("planStartYear", []), table.get("planEndYear", []),
                table.get("minCenters", []), table.get("maxCenters", []))
    return [_progress(session, *plan) for plan in plans]


def _progress(session: Session, name: str, start: int, end: int, minimum: int, maximum: int) -> dict:
    """Centers approved within the plan's years; those still in the sequence count toward it."""
    within = Center.approved_on.between(date(int(start), 1, 1), date(int(end), 12, 31))
    approved, listed = session.execute(select(
        func.count(), func.coalesce(func.sum(case((_IN_SEQUENCE, 1), else_=0)), 0),
    ).where(within)).one()
    status = "below" if listed < minimum else "above" if listed > maximum else "within"
    return {
        "plan": name, "startYear": start, "endYear": end,
        "minCenters": minimum, "maxCenters": maximum,
        "approved": approved, "inSequence": int(listed),
        "remainingToMinimum": max(minimum - int(listed), 0), "status": status,
    }
