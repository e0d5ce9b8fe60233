"""The suspension of a job definition (Camunda's suspended job definition): while it holds,
a new job of the definition is created suspended and the executor leaves it alone. Job
definitions here are named per process key (`<process key>:<activity>:<timer|service>`, as
/job names them), so the state holds for every version of the process."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class JobDefinitionState(Base):
    __tablename__ = "job_definition_state"

    process_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # timer or service, as the job table's job types.
    job_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    suspended: Mapped[bool]
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime]
