"""Running state: instances, the inbox projection, jobs, incidents, subscriptions."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class InstanceState(str, enum.Enum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    EXTERNALLY_TERMINATED = "EXTERNALLY_TERMINATED"
    INTERNALLY_TERMINATED = "INTERNALLY_TERMINATED"


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_key_bk", "process_key", "business_key"),
        Index("ix_process_instance_starter", "started_by", "start_time"),
        # The cockpit: instances per definition and state, and its instance list by start,
        # also of one process or in one state.
        Index("ix_process_instance_definition_state", "definition_id", "state"),
        Index("ix_process_instance_start", "start_time"),
        Index("ix_process_instance_key_start", "process_key", "start_time"),
        Index("ix_process_instance_state_start", "state", "start_time"),
        Index("ix_process_instance_applicant", "applicant_org", "start_time"),
        Index("ix_process_instance_supervising", "supervising_org", "start_time"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # What officers call the case (the center's name, a title): shown and searched in inboxes.
    business_name: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[InstanceState] = mapped_column(Enum(InstanceState, native_enum=False, length=30))
    serializer_version: Mapped[str] = mapped_column(String(10))
    state_json: Mapped[str] = mapped_column(Text)
    variables_json: Mapped[str] = mapped_column(Text, default="{}")
    waits_json: Mapped[str] = mapped_column(Text, default="{}")
    started_by: Mapped[str | None] = mapped_column(String(64))
    owner_org: Mapped[str | None] = mapped_column(String(64), index=True)
    # Whose case it is, kept from the variables at every save (`permissions.case_of`): the
    # applying unit (the starter's, or `applicantOrg` for the cases the registry starts)
    # and the supervising unit (`recommenderOrg`). The cockpit filters by them.
    applicant_org: Mapped[str | None] = mapped_column(String(64))
    supervising_org: Mapped[str | None] = mapped_column(String(64))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(500))
    # An administrator's hold (Camunda's suspension): no task, job or message moves it on.
    suspended: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Task(Base):
    """The inbox: one row per open user task; never needs the workflow deserialized."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_assignee_created", "assignee", "created_at"),
        Index("ix_task_assignee_due", "assignee", "due_at"),
        Index("ix_task_process_created", "process_key", "created_at"),
        # With the instance: the cockpit's overdue instances from the index alone.
        Index("ix_task_due", "due_at", "instance_id"),
        # The cockpit's overdue badge: a definition's open tasks per step past their due
        # date, and their instances, from the index alone.
        Index("ix_task_definition_key_due", "definition_id", "task_key", "due_at", "instance_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(120))
    # Indexed by ix_task_process_created (process_key first).
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    business_name: Mapped[str | None] = mapped_column(String(200))
    task_key: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(64))
    # Camunda's delegation: PENDING while the delegate works on it, RESOLVED once handed back.
    delegation_state: Mapped[str | None] = mapped_column(String(20))
    candidate_groups: Mapped[str] = mapped_column(String(500), default="")
    candidate_users: Mapped[str] = mapped_column(String(500), default="")
    form_key: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    # The due date was counted in working days through a year the calendar does not know
    # (weekends only): the pages say so beside it.
    due_weekends_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    follow_up_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(default=50)
    created_at: Mapped[datetime] = mapped_column(index=True)
    # Shown in the inbox, never searched: no index (each one costs every task write).
    owner_org: Mapped[str | None] = mapped_column(String(64))
    suspended: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskCandidate(Base):
    """Who may claim a task: one row per candidate group or user, for indexed inbox queries."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_lookup", "kind", "value", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(5), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class JobType(str, enum.Enum):
    TIMER = "timer"
    SERVICE = "service"


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_due", "due_at", "retries"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_type: Mapped[JobType] = mapped_column(Enum(JobType, native_enum=False, length=10))
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(120))
    process_key: Mapped[str] = mapped_column(String(100))
    activity_id: Mapped[str] = mapped_column(String(100))
    execution_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime | None]
    retries: Mapped[int] = mapped_column(default=3)
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None]
    exception_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    suspended: Mapped[bool] = mapped_column(default=False, server_default=false())


class Incident(Base):
    __tablename__ = "incident"
    # The cockpit: a definition's open incidents (resolved_at NULL) per activity.
    __table_args__ = (Index("ix_incident_definition_open", "definition_id", "resolved_at", "activity_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # failedJob or failedExternalTask; `job_id` holds the job's or the external task's id
    # (Camunda's `configuration`).
    incident_type: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(120))
    process_key: Mapped[str] = mapped_column(String(100))
    activity_id: Mapped[str | None] = mapped_column(String(100))
    job_id: Mapped[str | None] = mapped_column(String(36), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # An operator's note on it (Camunda's annotation): what was found, who was asked.
    annotation: Mapped[str | None] = mapped_column(Text)


class ExternalTask(Base):
    """A service task left to external workers (`camunda:type="external"`): one row per
    task the engine parks, kept by the save that parks it and removed by the save that
    sees it gone; workers fetch and lock them (Camunda's external task)."""

    __tablename__ = "external_task"
    # A fetch: the unlocked tasks of some topics, by priority then age.
    __table_args__ = (Index("ix_external_task_topic_lock", "topic_name", "lock_expires_at"),)

    # The engine's task id, also its execution id.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    topic_name: Mapped[str] = mapped_column(String(200))
    worker_id: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None]
    # None until a failure is reported (Camunda's null retries); 0 raises an incident.
    retries: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(String(666))
    error_details: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(default=0)
    activity_id: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(120))
    process_key: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(200))
    suspended: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]


class MessageSubscription(Base):
    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_name_bk", "message_name", "business_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200))
    activity_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
