"""Rows the officers' web pages keep: form drafts, failed sign-ins and signed-in sessions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class TaskDraft(Base):
    """What one user typed into one task's form and saved without submitting. It lives as
    long as the open task: whichever way the task ends, the database drops its drafts."""

    __tablename__ = "task_draft"

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    values_json: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class LoginThrottle(Base):
    """Failed sign-ins of one user name in the current window, and the lock they caused.

    Kept in the database so that every web worker sees the same count.
    """

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class UserSession(Base):
    """One signed-in browser. The cookie carries a random token; this row holds its SHA-256,
    so the table alone signs no one in. Ended by sign-out, deactivation, a password change,
    or when idle too long."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(64))
