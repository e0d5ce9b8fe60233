"""Saved task queries (Camunda's filters): a Tasklist's named views of the inbox, each its
owner's, or shared with everyone when an administrator made it without an owner."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class TaskFilter(Base):
    __tablename__ = "task_filter"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # None: shared, read by everyone.
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    # The task query as the client wrote it (Camunda's JSON); read again at every run.
    query_json: Mapped[str] = mapped_column(Text)
    properties_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
