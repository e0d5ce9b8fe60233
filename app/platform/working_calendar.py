"""The working-day calendar (节假日与调休) as the platform keeps it: read for deadlines,
kept by administrators, seeded from the `chinese-calendar` package.

Deadlines in working days (`${workdays(n)}`, the 催办 ladder) read the table through
`deadline`; the engine receives it as a plain callable (`engine_function`). The package
knows the State Council's notices up to its release (2004–2026 for 1.11.0): later years are
entered by administrators, who are warned from 1 December while next year is missing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import chinese_calendar
from sqlalchemy import delete, extract, func, select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI
from app.db import Database
from app.models import CalendarDay
from app.working_days import (
    HOLIDAY, KINDS, WORKDAY, Deadline, WorkingCalendar, add_working_days,
)

from app.core import audit
from app.core.context import AppContext
from app.core.errors import NotFound, ValidationFailed
from app.core.identity import Actor
from app.platform import permissions

NAME_MAX = 50
SEEDER = "chinese-calendar"
# The first month in which next year's calendar is expected (the State Council publishes it
# in October or November).
WARNING_MONTH = 12
# The package names holidays in English.
_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
_KIND_WORDS = {HOLIDAY: "放假", WORKDAY: "调休上班"}


# Deadlines ----------------------------------------------------------------------------------

def calendar(session: Session, years: range) -> WorkingCalendar:
    """The calendar of `years` as the table holds it."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind).where(
        CalendarDay.day >= date(years.start, 1, 1), CalendarDay.day < date(years.stop, 1, 1)))
    days = {day: kind == WORKDAY for day, kind in rows}
    return WorkingCalendar(days, frozenset(day.year for day in days))


def deadline(session: Session, start: datetime, count: int) -> Deadline:
    """`count` working days after `start`, by the table."""
    # Start's year and the next two: enough for any allowed count (two years of working days).
    first = start.astimezone(SHANGHAI).year
    return add_working_days(calendar(session, range(first, first + 3)), start, count)


def engine_function(db: Database) -> Callable[[datetime, int], Deadline]:
    """`deadline` as the engine calls it, on a read of its own: a timer is armed inside a
    command, and the calendar is only read."""
    def counted(start: datetime, count: int) -> Deadline:
        with db.read() as session:
            return deadline(session, start, count)

    return counted


def missing_next_year(session: Session, now: datetime) -> int | None:
    """Next year, from 1 December (Asia/Shanghai) while the table has no day of it."""
    local = now.astimezone(SHANGHAI)
    if local.month < WARNING_MONTH:
        return None
    following = local.year + 1
    return None if _has_year(session, following) else following


def warning(ctx: AppContext, session: Session, actor: Actor) -> int | None:
    """The year administrators are warned to enter (`missing_next_year`); others see none."""
    return missing_next_year(session, ctx.now()) if permissions.administers(actor) else None


# The administrators' page ---------------------------------------------------------------------

@dataclass(frozen=True)
class YearView:
    year: int
    days: list[dict]
    known: bool  # any entry at all: else deadlines through it count weekends only
    importable: bool  # the package covers it
    years: list[int]  # the years with entries, and this one


def year_view(session: Session, actor: Actor, year: int) -> YearView:
    permissions.enforce(permissions.calendar_refusal(actor))
    rows = session.scalars(select(CalendarDay).where(_in_year(year)).order_by(CalendarDay.day))
    days = [{"day": r.day, "kind": r.kind, "kindName": _KIND_WORDS[r.kind], "name": r.name,
             "weekday": r.day.weekday()} for r in rows]
    stored = session.scalars(select(extract("year", CalendarDay.day)).distinct())
    years = sorted({int(y) for y in stored} | {year})
    return YearView(year, days, bool(days), _package_covers(year), years)


def save_day(ctx: AppContext, session: Session, actor: Actor, form: dict, original: str | None = None) -> date:
    """Add a day, or change the day `original` (its date may change too)."""
    permissions.enforce(permissions.calendar_refusal(actor))
    day, kind, name = _checked(form)
    previous = _existing(session, original) if original else None
    taken = session.get(CalendarDay, day)
    if taken is not None and taken is not previous:
        raise ValidationFailed(f"{day.isoformat()} 已在日历中，请编辑该日 / {day} is already in the calendar",
                               [{"field": "day", "message": f"日期：{day.isoformat()} 已在日历中，请直接编辑该日"}])
    if previous is not None and previous.day != day:
        session.delete(previous)
        session.flush()
        previous = None
    row = previous or CalendarDay(day=day)
    row.kind, row.name, row.updated_at, row.updated_by = kind, name, ctx.now(), actor.id
    session.add(row)
    audit.record(ctx, session, "calendar.day", user_id=actor.id, target=day.isoformat(), source=actor.source,
                 details={"kind": kind, "name": name, "replaces": original})
    return day


def delete_day(ctx: AppContext, session: Session, actor: Actor, text: str) -> date:
    permissions.enforce(permissions.calendar_refusal(actor))
    row = _existing(session, text)
    session.delete(row)
    audit.record(ctx, session, "calendar.delete", user_id=actor.id, target=row.day.isoformat(),
                 source=actor.source, details={"kind": row.kind, "name": row.name})
    return row.day


def import_year(ctx: AppContext, session: Session, actor: Actor, text) -> int:
    """Put the package's holidays and adjusted working days of a year into the table (days
    already entered are replaced by the package's); returns how many days it holds."""
    permissions.enforce(permissions.calendar_refusal(actor))
    year = checked_year(text)
    if not _package_covers(year):
        first, last = package_years()
        raise ValidationFailed(
            f"chinese-calendar 只含 {first}–{last} 年的节假日，{year} 年请逐日录入 / the package covers "
            f"{first}–{last} only", [{"field": "year", "message": f"年份：只能导入 {first}–{last} 年，{year} 年请逐日录入"}])
    count = _import(session, year, actor.id, ctx.now())
    audit.record(ctx, session, "calendar.import", user_id=actor.id, target=str(year), source=actor.source,
                 details={"days": count})
    return count


def seed(session: Session, now: datetime) -> list[int]:
    """At setup: every year the package covers and the table has no day of (a year an
    administrator has entered is theirs)."""
    first, last = package_years()
    stored = {int(y) for y in session.scalars(select(extract("year", CalendarDay.day)).distinct())}
    seeded = [year for year in range(first, last + 1) if year not in stored]
    for year in seeded:
        _import(session, year, SEEDER, now)
    return seeded


def package_years() -> tuple[int, int]:
    known = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return min(known).year, max(known).year


def _import(session: Session, year: int, by: str, now: datetime) -> int:
    entries = {day: (HOLIDAY, name) for day, name in chinese_calendar.holidays.items() if day.year == year}
    entries |= {day: (WORKDAY, name) for day, name in chinese_calendar.workdays.items() if day.year == year}
    session.execute(delete(CalendarDay).where(CalendarDay.day.in_(list(entries))))
    session.add_all(CalendarDay(day=day, kind=kind, name=_NAMES.get(name, name)[:NAME_MAX],
                                updated_at=now, updated_by=by)
                    for day, (kind, name) in sorted(entries.items()))
    session.flush()
    return len(entries)


def _package_covers(year: int) -> bool:
    first, last = package_years()
    return first <= year <= last


def _has_year(session: Session, year: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(CalendarDay).where(_in_year(year))))


def _in_year(year: int):
    return (CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31))


def _existing(session: Session, text: str) -> CalendarDay:
    try:
        row = session.get(CalendarDay, date.fromisoformat(text))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(f"日历中没有 {text} / no such day in the calendar")
    return row


def _checked(form: dict) -> tuple[date, str, str]:
    errors = []
    day = None
    try:
        day = date.fromisoformat((form.get("day") or "").strip())
    except ValueError:
        errors.append({"field": "day", "message": "日期：请填写有效日期，如 2027-02-06"})
    kind = form.get("kind")
    if kind not in KINDS:
        errors.append({"field": "kind", "message": "类型：请选择“放假”或“调休上班”"})
    name = (form.get("name") or "").strip()
    if not name:
        errors.append({"field": "name", "message": "名称：此项为必填项（如 春节）"})
    elif len(name) > NAME_MAX:
        errors.append({"field": "name", "message": f"名称：不超过 {NAME_MAX} 个字"})
    if errors:
        raise ValidationFailed("节假日填写有误 / the day is not valid", errors)
    return day, kind, name


def checked_year(text) -> int:
    try:
        year = int(str(text).strip())
    except ValueError:
        year = 0
    if not 1900 <= year <= 9998:
        raise ValidationFailed("年份无效 / invalid year", [{"field": "year", "message": "年份：请填写 1900–9998 之间的年份"}])
    return year
