"""What the engine reports about an instance: plain values, no SpiffWorkflow types."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserTaskInfo:
    id: str
    key: str
    name: str | None
    name_en: str | None  # the Camunda property `name_en`: the step's English name
    process_key: str
    candidate_groups: list[str]
    candidate_users: list[str]
    assignee: str | None
    form_key: str | None
    due: str | None
    follow_up: str | None
    priority: int
    element_variables: dict
    # The due date counts working days through a year the calendar does not know.
    due_weekends_only: bool = False


@dataclass(frozen=True)
class ServiceTaskInfo:
    id: str
    activity_id: str
    topic: str | None
    external: bool


@dataclass(frozen=True)
class TimerInfo:
    execution_id: str
    activity_id: str
    due_at: datetime | None


@dataclass(frozen=True)
class MessageWait:
    execution_id: str
    activity_id: str
    message_name: str


@dataclass(frozen=True)
class ActivityState:
    id: str
    activity_id: str
    name: str | None
    activity_type: str
    state: str
    changed_at: float


@dataclass(frozen=True)
class Snapshot:
    """Everything the projections need, read from the task tree in one walk."""

    user_tasks: list[UserTaskInfo]
    service_tasks: list[ServiceTaskInfo]
    timers: list[TimerInfo]
    message_waits: list[MessageWait]
    activities: list[ActivityState]
    variables: dict
    completed: bool


