"""公示 of the applications the leader approved (拟批准), at /publicity for anyone to read.

A 公示 starts per application, the moment its approval is given, and the public list groups
them by round: the leader decides the round's applications one by one, and an application
should not wait for the slowest of its round before the public may object to it.

The period is N calendar days (DMN `tic_publicity`, 7 by default), counted as the Civil Code
counts periods in days (art. 201, 203): the day of the approval is not counted, the period
ends at 24:00 (Asia/Shanghai) of its last day. Approved on Friday 18 December 2026, a 7-day
公示 runs from Saturday the 19th to Friday the 25th and ends at 24:00 on Friday the 25th.

What is public: the center's name, lead unit, category and field or region, the period and
how to object. Never the panel, the scores, the ranking or the opinions (DESIGN.md,
Confidential data), and never who objected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI, as_utc, chinese_day, format_camunda, to_shanghai
from app.models import ApplicationRound, Publicity, PublicityObjection

from app.core.errors import NotFound
from app.tic.registry import CATEGORY_NAMES, FIELD_NAMES, REGION_NAMES

STATUS_NAMES = {"open": "公示中", "ended": "公示期满", "withdrawn": "已撤回"}
OUTCOME_NAMES = {"pending": "待处理", "upheld": "异议成立", "dismissed": "异议不成立",
                 "closed": "公示已撤回，未再处理"}
# The variables the objection task works from (the objector's are confidential).
OBJECTION_VARIABLES = ("objectionId", "objectionText", "objectorName", "objectorContact")


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    ends_at: datetime

    @property
    def text(self) -> str:
        return f"{chinese_day(self.first_day)}至{chinese_day(self.last_day)}"


def period(approved_at: datetime, days: int) -> Period:
    """The 公示 of an approval given at `approved_at`: from the next day, `days` calendar
    days, ending at 24:00 of the last one (the first instant of the day after, UTC)."""
    first = to_shanghai(approved_at).date() + timedelta(days=1)
    last = first + timedelta(days=days - 1)
    ends = datetime.combine(last + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return Period(first, last, as_utc(ends))


def open_publicity(session: Session, instance_id: str, business_key: str | None, variables: dict,
                   now: datetime) -> dict:
    """Publish the approved application; returns the variables the 公示 timer waits on."""
    days = int(variables["publicityDays"])
    span = period(now, days)
    category = variables["category"]
    row = Publicity(
        instance_id=instance_id, business_key=business_key,
        round_id=variables.get("roundId") if isinstance(variables.get("roundId"), str) else None,
        center_name=variables["centerName"], lead_unit=(variables.get("leadUnit") or {}).get("name", ""),
        category=category, field=variables.get("field") if category == "domain" else None,
        region=variables.get("region") if category == "comprehensive" else None,
        days=days, starts_at=now, ends_at=span.ends_at, status="open",
    )
    session.add(row)
    session.flush()
    return {"publicityId": row.id, "publicityEndsAt": to_shanghai(span.ends_at).isoformat()}


def conclude(session: Session, publicity_id: int, now: datetime) -> None:
    """The period is over with no objection upheld: the 公示 stands (the center is registered next)."""
    row = _row(session, publicity_id)
    row.status, row.closed_at = "ended", now


def withdraw(session: Session, publicity_id: int, now: datetime) -> None:
    """An objection was upheld, or the lead unit withdrew its application: the 公示 is
    withdrawn; objections still waiting are closed with it, since the application goes back
    to the approval decision or ends."""
    row = _row(session, publicity_id)
    row.status, row.closed_at = "withdrawn", now
    for objection in session.scalars(select(PublicityObjection).where(
            PublicityObjection.publicity_id == publicity_id, PublicityObjection.status == "pending")):
        objection.status = "closed"


def next_pending(session: Session, publicity_id: int) -> dict:
    """The oldest objection still waiting (one that came while another was being handled),
    as the objection task's variables; `objectionPending` false when there is none."""
    objection = session.scalar(
        select(PublicityObjection).where(PublicityObjection.publicity_id == publicity_id,
                                         PublicityObjection.status == "pending")
        .order_by(PublicityObjection.submitted_at, PublicityObjection.id).limit(1))
    if objection is None:
        return {"objectionPending": False}
    return {"objectionPending": True, **objection_variables(objection)}


def objection_variables(objection: PublicityObjection) -> dict:
    return dict(zip(OBJECTION_VARIABLES, (objection.id, objection.text, objection.objector_name,
                                          objection.contact)))


# ------------------------------------------------------------------ reading


def public_list(session: Session) -> list[dict]:
    """Every 公示, current and past, grouped by round (the newest first); an application
    outside any round (started before rounds existed) is grouped on its own."""
    rows = session.execute(
        select(Publicity, ApplicationRound.title).outerjoin(
            ApplicationRound, ApplicationRound.id == Publicity.round_id)
        .order_by(Publicity.starts_at.desc(), Publicity.id.desc())
    ).all()
    groups: dict[str | None, dict] = {}
    for row, title in rows:
        group = groups.setdefault(row.round_id, {"roundId": row.round_id, "roundTitle": title, "entries": []})
        group["entries"].append(public_entry(row))
    return list(groups.values())


def public_detail(session: Session, publicity_id: int) -> dict:
    row = session.get(Publicity, publicity_id)
    if row is None:
        raise NotFound("该公示不存在 / no such publicity")
    entry = public_entry(row)
    title = session.scalar(select(ApplicationRound.title).where(ApplicationRound.id == row.round_id))
    return {**entry, "roundTitle": title}


def public_entry(row: Publicity) -> dict:
    """One 公示 as anyone may read it."""
    span = period(as_utc(row.starts_at), row.days)
    return {
        "id": row.id, "centerName": row.center_name, "leadUnit": row.lead_unit,
        "category": CATEGORY_NAMES.get(row.category, row.category),
        "field": FIELD_NAMES.get(row.field) if row.field else None,
        "region": REGION_NAMES.get(row.region) if row.region else None,
        "days": row.days, "period": span.text, "endsAt": format_camunda(span.ends_at),
        "status": row.status, "statusName": STATUS_NAMES[row.status],
        "accepting": row.status == "open",
    }


def round_publicity(session: Session, round_id: str) -> dict:
    """A round's 公示 for its notice (公示通知): the round, each approved application with
    its period and status, and each objection's date, outcome and reason — never who objected
    nor their words, which stay with the department."""
    found = session.get(ApplicationRound, round_id)
    if found is None:
        raise NotFound(f"申报批次 {round_id} 不存在 / no such round")
    rows = session.scalars(select(Publicity).where(Publicity.round_id == round_id)
                           .order_by(Publicity.starts_at, Publicity.id)).all()
    objections = _objections_of(session, [row.id for row in rows])
    return {
        "roundId": found.id, "roundTitle": found.title,
        "entries": [{**public_entry(row), "businessKey": row.business_key,
                     "startsAt": format_camunda(row.starts_at), "closedAt": format_camunda(row.closed_at),
                     "objections": objections.get(row.id, [])} for row in rows],
    }


def _objections_of(session: Session, publicity_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for objection in session.scalars(select(PublicityObjection).where(
            PublicityObjection.publicity_id.in_(publicity_ids))
            .order_by(PublicityObjection.submitted_at, PublicityObjection.id)):
        found.setdefault(objection.publicity_id, []).append({
            "id": objection.id, "submittedAt": format_camunda(objection.submitted_at),
            "status": objection.status, "statusName": OUTCOME_NAMES[objection.status],
            "reason": objection.reason, "decidedAt": format_camunda(objection.decided_at),
        })
    return found


def _row(session: Session, publicity_id: int) -> Publicity:
    row = session.get(Publicity, int(publicity_id))
    if row is None:
        raise NotFound(f"公示 {publicity_id} 不存在 / no such publicity")
    return row
