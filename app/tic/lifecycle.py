"""A center's status over its life (《工作指引》五、4): guarded transitions, each one kept,
and removal from the center sequence (不再列入技术创新中心序列), which ends every open
process of the center while its history stays.

Also the date rules the lifecycle processes share: deadlines end with their day in
Asia/Shanghai, cycles are counted in calendar years.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI, to_shanghai
from app.models import (
    Center, CenterStatus, CenterStatusChange, ChangeRequest, InstanceState, ProcessInstance,
)

from app.core.context import AppContext
from app.platform.process_instances import terminate

# Why a center leaves the sequence (DOMAIN.md): R23 twice, R24, R25, R26.
DELIST_REASONS = frozenset({
    "poor_after_rectification", "rectification_overdue", "did_not_participate", "withdrew",
    "integrity_violation",
})
MAJOR_CHANGE_PROCESS = "tic_major_change"
# Why the center's other processes ended (the removal's own reason is on its status change).
DELISTED_END_REASON = "delisted"
_ALLOWED = {
    CenterStatus.OPERATING: {CenterStatus.RECTIFYING, CenterStatus.DELISTED},
    CenterStatus.RECTIFYING: {CenterStatus.OPERATING, CenterStatus.DELISTED},
    CenterStatus.DELISTED: set(),
}
_STATUS_NAMES = {
    CenterStatus.OPERATING: "运行", CenterStatus.RECTIFYING: "整改",
    CenterStatus.DELISTED: "不再列入技术创新中心序列",
}


class InvalidTransition(ValueError):
    """A status change the lifecycle does not allow (e.g. anything after delisting)."""


def center(session: Session, code: str) -> Center:
    found = session.get(Center, code)
    if found is None:
        raise LookupError(f"技术创新中心 {code} 未登记 / center not registered")
    return found


def active_center_of(session: Session, organization_id: str) -> Center | None:
    """The center an organization leads that is still in the sequence, if any (the latest
    registered, should one unit lead several)."""
    return session.scalar(
        select(Center).where(Center.lead_org_id == organization_id,
                             Center.status != CenterStatus.DELISTED)
        .order_by(Center.registered_at.desc(), Center.code.desc()).limit(1)
    )


def transition(session: Session, subject: Center, to_status: CenterStatus, reason: str | None,
               instance_id: str | None, now: datetime, note: str | None = None) -> None:
    """Move the center to `to_status` if its current status allows it, and keep the change."""
    if to_status not in _ALLOWED[subject.status]:
        raise InvalidTransition(
            f"技术创新中心 {subject.code} 当前状态为“{_STATUS_NAMES[subject.status]}”，"
            f"不能变为“{_STATUS_NAMES[to_status]}” / {subject.status.value} → {to_status.value} not allowed"
        )
    session.add(CenterStatusChange(
        center_code=subject.code, from_status=subject.status.value, to_status=to_status.value,
        reason=reason, note=note, process_instance_id=instance_id, changed_at=now,
    ))
    subject.status = to_status
    session.flush()


def delist(ctx: AppContext, session: Session, code: str, reason: str, instance_id: str,
           now: datetime, note: str | None = None) -> list[str]:
    """Remove the center from the sequence and end its other open processes; returns their ids.

    `instance_id` (the evaluation doing the removal) runs on to its end event.
    """
    if reason not in DELIST_REASONS:
        raise ValueError(f"未知的撤销原因 {reason} / unknown delist reason")
    subject = center(session, code)
    transition(session, subject, CenterStatus.DELISTED, reason, instance_id, now, note)
    subject.delist_reason = reason
    ended = []
    for instance in open_instances(session, subject):
        if instance.id != instance_id:
            terminate(ctx, session, instance, DELISTED_END_REASON, None)
            ended.append(instance.id)
    return ended


def instances_of(subject: Center):
    """A SQL condition on `ProcessInstance`: every process that belongs to the center.

    Its application; the annual reports and evaluations keyed `<code>-…`; its major-change
    requests, and any major change its lead unit has started but not yet submitted.
    """
    return or_(
        ProcessInstance.id == subject.application_instance_id,
        ProcessInstance.business_key.like(f"{subject.code}-%"),
        ProcessInstance.id.in_(select(ChangeRequest.process_instance_id)
                               .where(ChangeRequest.center_code == subject.code)),
        (ProcessInstance.process_key == MAJOR_CHANGE_PROCESS)
        & (ProcessInstance.owner_org == subject.lead_org_id),
    )


def open_instances(session: Session, subject: Center) -> list[ProcessInstance]:
    return list(session.scalars(
        select(ProcessInstance)
        .where(instances_of(subject), ProcessInstance.state == InstanceState.ACTIVE)
        .order_by(ProcessInstance.start_time)
    ))


def today(now: datetime) -> date:
    """The calendar day in Xinjiang's official time (Asia/Shanghai)."""
    return to_shanghai(now).date()


def end_of(day: date) -> datetime:
    """A deadline on `day` lasts until the end of that day, Asia/Shanghai."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def timer_date(moment: datetime) -> str:
    """An instant as a timer's ISO date with its +08:00 offset."""
    return to_shanghai(moment).isoformat(timespec="seconds")


def years_later(day: date, years: int) -> date:
    return months_later(day, 12 * years)


def months_later(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (29–31)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
