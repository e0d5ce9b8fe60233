"""The center registry and the appraisal records behind establishment decisions.

Business data lives here, not in workflow variables: centers (with their evaluations and
approved changes), the expert panels, each expert's review and the site-visit reports.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class CenterStatus(str, enum.Enum):
    OPERATING = "operating"
    RECTIFYING = "rectifying"
    DELISTED = "delisted"


class Center(Base):
    """An approved technology innovation center (新疆××技术创新中心)."""

    __tablename__ = "center"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int]
    sequence: Mapped[int]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[CenterStatus] = mapped_column(Enum(CenterStatus, native_enum=False, length=20))
    category: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    lead_org_id: Mapped[str] = mapped_column(String(64), index=True)
    lead_unit_json: Mapped[str] = mapped_column(Text)
    co_builders_json: Mapped[str] = mapped_column(Text)
    supervising_org_id: Mapped[str] = mapped_column(String(64), index=True)
    approved_on: Mapped[date]
    next_evaluation_due: Mapped[date]
    delist_reason: Mapped[str | None] = mapped_column(String(40))
    # None for a center imported from the department's records (approved before this system).
    application_instance_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    registered_at: Mapped[datetime]

    evaluations: Mapped[list[CenterEvaluation]] = relationship(
        lazy="selectin", order_by="CenterEvaluation.cycle"
    )
    changes: Mapped[list[CenterChange]] = relationship(lazy="selectin", order_by="CenterChange.id")


class CenterEvaluation(Base):
    """One performance-evaluation cycle of a center: its grade and the funding awarded."""

    __tablename__ = "center_evaluation"
    __table_args__ = (UniqueConstraint("center_code", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"), index=True)
    cycle: Mapped[int]
    grade: Mapped[str | None] = mapped_column(String(20))
    funding_wan: Mapped[int | None]
    process_instance_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime | None]


class CenterChange(Base):
    """An approved major change (重大变更) of a center, kept as its history."""

    __tablename__ = "center_change"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"), index=True)
    change_type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    process_instance_id: Mapped[str | None] = mapped_column(String(36))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime]


class ExpertPanel(Base):
    """The experts the department assigned to review one instance, in assignment order."""

    __tablename__ = "expert_panel"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    experts_json: Mapped[str] = mapped_column(Text)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime]
    # The random draw the panel was confirmed from, or the reason it was chosen by hand.
    draw_id: Mapped[int | None]
    manual_reason: Mapped[str | None] = mapped_column(Text)
    # Whom and in which round it reviewed: an expert reviews an applicant once a round (R15).
    applicant_key: Mapped[str | None] = mapped_column(String(64))
    round_key: Mapped[str | None] = mapped_column(String(64))


class ExpertReview(Base):
    """One expert's score and opinion, keyed by the review task that collected it."""

    __tablename__ = "expert_review"
    __table_args__ = (UniqueConstraint("panel_id", "expert"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("expert_panel.id"), index=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    expert: Mapped[str] = mapped_column(String(64))
    score: Mapped[int]
    opinion: Mapped[str] = mapped_column(Text)
    recommend: Mapped[bool]
    submitted_at: Mapped[datetime]
    # The scoring sheet: {criterion code: score 0–100}; null for a total given alone.
    criteria_json: Mapped[str | None] = mapped_column(Text)


class SiteVisit(Base):
    """The department's on-site evaluation (实地评估) of an application."""

    __tablename__ = "site_visit"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    passed: Mapped[bool]
    report: Mapped[str] = mapped_column(Text)
    visited_on: Mapped[date | None]
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
