"""Append-only history: what happened, who did it, when, which variables changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from .base import Base


class HistoryEvent(Base):
    __tablename__ = "history_event"
    __table_args__ = (
        Index("ix_history_event_instance_time", "instance_id", "id"),
        # The cockpit counts withdrawn cases by their `instance_withdrawn` event.
        Index("ix_history_event_type_instance", "event_type", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    process_key: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(40))
    activity_id: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    details_json: Mapped[str | None] = mapped_column(Text)


OPEN = text("end_time IS NULL")


class HistoricActivity(Base):
    """Each diagram element an instance passed through, with start and end."""

    __tablename__ = "historic_activity"
    __table_args__ = (
        # The cockpit's badges: the open rows (end_time NULL) of a definition, counted per
        # activity from the index alone (SQLite reads a column from the row unless the index
        # holds it, even end_time); the closed rows, most of them, are not in it.
        Index("ix_historic_activity_open", "definition_id", "activity_id", "instance_id", "activity_type",
              "end_time", sqlite_where=OPEN, postgresql_where=OPEN),
        # The cockpit's instance list by current step: the open rows of one activity.
        Index("ix_historic_activity_step_open", "activity_id", "end_time", "instance_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    definition_id: Mapped[str] = mapped_column(String(120))
    activity_id: Mapped[str] = mapped_column(String(100))
    activity_name: Mapped[str | None] = mapped_column(String(200))
    activity_type: Mapped[str] = mapped_column(String(50))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    canceled: Mapped[bool] = mapped_column(default=False)


class HistoricTask(Base):
    __tablename__ = "historic_task"
    __table_args__ = (
        Index("ix_historic_task_assignee_end", "assignee", "end_time"),
        Index("ix_historic_task_completed_by_end", "completed_by", "end_time"),
        # Who handled a step of a case last (app/platform/assignment.py), however long the case.
        Index("ix_historic_task_instance_key_end", "instance_id", "task_key", "end_time"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    definition_id: Mapped[str] = mapped_column(String(120))
    business_key: Mapped[str | None] = mapped_column(String(200))
    task_key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(64))
    delegation_state: Mapped[str | None] = mapped_column(String(20))
    candidate_groups: Mapped[str] = mapped_column(String(500), default="")
    form_key: Mapped[str | None] = mapped_column(String(200))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    delete_reason: Mapped[str | None] = mapped_column(String(100))
    completed_by: Mapped[str | None] = mapped_column(String(64))
    variables_json: Mapped[str | None] = mapped_column(Text)


# A user task's activity row shares its task's id: its assignee is the task's, read from the
# one row the claims, 转办 and completes keep, never copied (Camunda's activity assignee).
HistoricActivity.assignee = column_property(
    select(HistoricTask.assignee).where(HistoricTask.id == HistoricActivity.id)
    .correlate_except(HistoricTask).scalar_subquery())
