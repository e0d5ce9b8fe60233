"""The working-day calendar (节假日与调休) admins keep, and the deadline notices (催办) sent."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CalendarDay(Base):
    """A day the calendar marks: a holiday (off, even on a weekday) or an adjusted working
    day (调休, on, even on a weekend). Unmarked days follow the week."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class DeadlineNotice(Base):
    """A rung of the 催办 ladder sent for a task: its key makes each rung fire once, however
    many executors race for it."""

    __tablename__ = "deadline_notice"
    __table_args__ = (Index("ix_deadline_notice_instance", "instance_id"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rung: Mapped[str] = mapped_column(String(20), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    task_key: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[datetime]
