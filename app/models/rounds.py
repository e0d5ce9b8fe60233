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
