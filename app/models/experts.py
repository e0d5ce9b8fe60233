"""The expert pool (专家库): experts as records the department and its agency keep, and each
random draw of a panel with the seed that makes it re-checkable."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ExpertProfile(Base):
    """One expert's record beside their account: fields (R02's list), title, contact, past
    affiliations with their dates, and whether they can be drawn."""

    __tablename__ = "expert_profile"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    fields_json: Mapped[str] = mapped_column(Text, default="[]")
    title: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    # 区内/区外: the draw takes a share of its panel from outside the region.
    in_region: Mapped[bool] = mapped_column(default=True)
    available: Mapped[bool] = mapped_column(default=True)
    in_pool: Mapped[bool] = mapped_column(default=True)
    # [{"organization", "creditCode", "from", "to"}]: dates as YYYY-MM-DD, `to` empty while current.
    affiliations_json: Mapped[str] = mapped_column(Text, default="[]")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class ExpertDraw(Base):
    """A random draw of a panel: what it drew from, with which seed, and what it chose."""

    __tablename__ = "expert_draw"
    __table_args__ = (Index("ix_expert_draw_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    outside: Mapped[int]
    seed: Mapped[str] = mapped_column(String(64))
    # The eligible experts with their open reviews, and those left out with why (R15).
    candidates_json: Mapped[str] = mapped_column(Text)
    excluded_json: Mapped[str] = mapped_column(Text)
    chosen_json: Mapped[str] = mapped_column(Text)
    drawn_by: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime]
    # The assign_experts task drawn for; `draw`, `redraw` or `replace` (one expert of the
    # previous draw, `replaced`), the last two on a leader's approved request.
    task_id: Mapped[str | None] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(20), default="draw", server_default="draw")
    replaced: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[int | None]
    # The panel after this draw: what it chose, or for a replacement the previous panel with
    # the replaced expert swapped for the one drawn.
    panel_json: Mapped[str | None] = mapped_column(Text)


class ExpertDrawRequest(Base):
    """A redraw, or the replacement of one drawn expert, asked with a reason and decided by a
    department leader; an approved request is used by one draw."""

    __tablename__ = "expert_draw_request"
    __table_args__ = (Index("ix_expert_draw_request_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    expert: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    # None while pending, then `approved` or `rejected`.
    decision: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    used_by_draw: Mapped[int | None]


class ExpertDecline(Base):
    """An expert who stepped aside from a review (回避声明 or unavailable), with the reason and
    who was drawn in their place; they are not drawn for this applicant in this round again."""

    __tablename__ = "expert_decline"
    __table_args__ = (Index("ix_expert_decline_applicant_round", "applicant_key", "round_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    expert: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    applicant_key: Mapped[str | None] = mapped_column(String(64))
    round_key: Mapped[str | None] = mapped_column(String(64))
    replacement: Mapped[str | None] = mapped_column(String(64))
    declined_at: Mapped[datetime]
