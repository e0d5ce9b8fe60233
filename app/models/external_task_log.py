"""What happened to each external task, one row per event (Camunda's historic external
task log): created when the engine left it to workers, failed at each failure a worker
reported, successful when a worker completed it, deleted when it ended otherwise (a BPMN
error, a boundary event, a token moved, its instance ended)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ExternalTaskLogEntry(Base):
    __tablename__ = "external_task_log"
    __table_args__ = (
        Index("ix_external_task_log_instance", "instance_id", "occurred_at"),
        Index("ix_external_task_log_task", "external_task_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    occurred_at: Mapped[datetime]
    # created, failed, successful or deleted.
    state: Mapped[str] = mapped_column(String(10))
    external_task_id: Mapped[str] = mapped_column(String(36))
    topic_name: Mapped[str] = mapped_column(String(200))
    worker_id: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int]
    retries: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(String(666))
    error_details: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[str] = mapped_column(String(36))
    definition_id: Mapped[str] = mapped_column(String(120))
    process_key: Mapped[str] = mapped_column(String(100))
