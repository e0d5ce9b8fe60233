"""Application rounds (申报批次): the windows in which lead units may apply, each covering
some fields with a quota of centers to select (择优, R14)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ApplicationRound(Base):
    """One round: open from `opens_on` to `closes_on` (dates in Asia/Shanghai, both
    included) unless closed early; an application belongs to the round open when it starts."""

    __tablename__ = "application_round"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # Domain fields (R02's codes) and `comprehensive` for comprehensive centers (R03).
    fields_json: Mapped[str] = mapped_column(Text)
    quota: Mapped[int]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoundApplication(Base):
    """An establishment application in its round: written when it starts, so the round's
    pages list and rank its applications without reading every instance's variables."""

    __tablename__ = "round_application"
    __table_args__ = (Index("ix_round_application_round", "round_id", "joined_at"),)

    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("application_round.id"))
    joined_at: Mapped[datetime]


class Publicity(Base):
    """The 公示 of one application the leader approved (拟批准): public from `starts_at`
    until `ends_at` (both UTC; the period's days are kept in Asia/Shanghai dates on the page).
    `status` is `open`, `ended` (no objection upheld: the center is registered) or
    `withdrawn` (an objection upheld: back to the approval decision)."""

    __tablename__ = "publicity"
    __table_args__ = (Index("ix_publicity_round", "round_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    round_id: Mapped[str | None] = mapped_column(ForeignKey("application_round.id"))
    center_name: Mapped[str] = mapped_column(String(200))
    lead_unit: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    days: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime | None]


class PublicityObjection(Base):
    """An objection (异议) to a 公示, with the objector's real name and contact (seen by the
    department only) and the department's decision: `pending`, `upheld`, `dismissed`, or
    `closed` (left undecided because another objection was upheld first)."""

    __tablename__ = "publicity_objection"
    __table_args__ = (Index("ix_publicity_objection_source", "source", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id"), index=True)
    objector_name: Mapped[str] = mapped_column(String(50))
    contact: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
