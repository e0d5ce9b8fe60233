"""A center's life after approval (《工作指引》四、五): status history, governance, annual
reports, major-change requests, and each evaluation cycle's file and rectification.

The workflows carry ids and decisions; what was submitted, decided and by whom is kept
here, per center, for as long as the registry exists (R18, R19, R23–R27).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CenterStatusChange(Base):
    """One transition of a center's status (运行 → 整改 → 运行 / 不再列入序列), with its reason."""

    __tablename__ = "center_status_change"
    __table_args__ = (Index("ix_center_status_change_center_time", "center_code", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    process_instance_id: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[datetime]


class GovernanceRecord(Base):
    """The center's governance as entered (R17): board, director, expert committee.

    Every change is a new row; the latest is in force.
    """

    __tablename__ = "center_governance"
    __table_args__ = (Index("ix_center_governance_center_time", "center_code", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"))
    board_json: Mapped[str] = mapped_column(Text)
    director_json: Mapped[str] = mapped_column(Text)
    expert_committee_json: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


class AnnualReport(Base):
    """A center's report for one year (R18): what it submitted and who reviewed and received it."""

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("center_code", "report_year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"), index=True)
    report_year: Mapped[int]
    process_instance_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    content_json: Mapped[str] = mapped_column(Text)
    submissions: Mapped[int] = mapped_column(default=1)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    authority_decision: Mapped[str | None] = mapped_column(String(20))
    authority_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    department_ack: Mapped[bool | None]
    department_opinion: Mapped[str | None] = mapped_column(Text)
    received_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None]


class ChangeRequest(Base):
    """A major-change application (R19) from submission to its outcome.

    The approved change itself, with before and after, is the `center_change` row it points to.
    """

    __tablename__ = "center_change_request"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    process_instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    business_key: Mapped[str | None] = mapped_column(String(200))
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"), index=True)
    change_type: Mapped[str] = mapped_column(String(30))
    request_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    submissions: Mapped[int] = mapped_column(default=1)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    authority_decision: Mapped[str | None] = mapped_column(String(20))
    authority_opinion: Mapped[str | None] = mapped_column(Text)
    authority_by: Mapped[str | None] = mapped_column(String(64))
    authority_at: Mapped[datetime | None]
    department_decision: Mapped[str | None] = mapped_column(String(20))
    department_opinion: Mapped[str | None] = mapped_column(Text)
    department_by: Mapped[str | None] = mapped_column(String(64))
    department_at: Mapped[datetime | None]
    change_id: Mapped[int | None] = mapped_column(ForeignKey("center_change.id"))


class EvaluationDetail(Base):
    """What one evaluation cycle (`center_evaluation`) rests on: the cycle's period, the
    materials and the supervising unit's review, the grading, and an integrity finding (R26)."""

    __tablename__ = "evaluation_detail"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("center_evaluation.id"), primary_key=True)
    cycle_start: Mapped[date]
    cycle_end: Mapped[date]
    opened_at: Mapped[datetime]
    materials_due_at: Mapped[datetime | None]
    materials_json: Mapped[str | None] = mapped_column(Text)
    materials_submissions: Mapped[int] = mapped_column(default=0)
    materials_submitted_by: Mapped[str | None] = mapped_column(String(64))
    materials_submitted_at: Mapped[datetime | None]
    authority_decision: Mapped[str | None] = mapped_column(String(20))
    authority_opinion: Mapped[str | None] = mapped_column(Text)
    authority_by: Mapped[str | None] = mapped_column(String(64))
    authority_at: Mapped[datetime | None]
    average_score: Mapped[float | None]
    suggested_grade: Mapped[str | None] = mapped_column(String(20))
    grade_opinion: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[str | None] = mapped_column(String(64))
    integrity_violation: Mapped[bool] = mapped_column(default=False)
    integrity_finding: Mapped[str | None] = mapped_column(Text)


class Rectification(Base):
    """The year of rectification (限期一年整改, R23) after a poor grade, and its review."""

    __tablename__ = "center_rectification"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("center_evaluation.id"), primary_key=True)
    center_code: Mapped[str] = mapped_column(ForeignKey("center.code"), index=True)
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    report: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    passed: Mapped[bool | None]
    review_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
