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
