"""Variables kept beside the engine's state: binary ones (Camunda's File and Bytes), whose
bytes stay out of the state every command reads and writes whole, and a user task's local
ones, which the process never sees."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class BinaryVariable(Base):
    """The latest value of one File or Bytes variable of an instance."""

    __tablename__ = "binary_variable"

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str | None] = mapped_column(String(200))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    encoding: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class TaskLocalVariable(Base):
    """One local variable of an open user task (Camunda's task-local scope): read with the
    task, never part of its instance's variables, gone with the task's row."""

    __tablename__ = "task_local_variable"

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    # The declared type where the value alone does not tell it (variables.DECLARED).
    declared_json: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
