"""What happened to each job, one row per event (Camunda's historic job log): created when
a timer was armed or a failed service task left to be retried, failed at each failure,
successful when the executor ran it, deleted when it went without running (its timer's
activity ended, its instance was deleted)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class JobLogEntry(Base):
    __tablename__ = "job_log"
    __table_args__ = (
        Index("ix_job_log_instance", "instance_id", "occurred_at"),
        Index("ix_job_log_job", "job_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    occurred_at: Mapped[datetime]
    # created, failed, successful or deleted.
    state: Mapped[str] = mapped_column(String(10))
    job_id: Mapped[str] = mapped_column(String(36))
    job_type: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime | None]
    retries: Mapped[int]
    # A failure's whole message: its first line is Camunda's jobExceptionMessage, the rest
    # its stacktrace.
    exception_message: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[str] = mapped_column(String(100))
    execution_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[str] = mapped_column(String(36))
    definition_id: Mapped[str] = mapped_column(String(120))
    process_key: Mapped[str] = mapped_column(String(100))
    # The executor that ran or failed it (host:pid), None for a request's own command.
    hostname: Mapped[str | None] = mapped_column(String(100))
