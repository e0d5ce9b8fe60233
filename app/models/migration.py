"""What migration batches moved: enough to undo a batch while nothing has moved on."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class MigratedInstance(Base):
    """One instance a migration batch moved, and the row version the move left it at: the
    batch can be undone while each of its instances is still at that version."""

    __tablename__ = "migrated_instance"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_definition_id: Mapped[str] = mapped_column(String(120))
    target_definition_id: Mapped[str] = mapped_column(String(120))
    # The plan's instructions, source activity id -> target activity id.
    instructions_json: Mapped[str] = mapped_column(Text)
    version_after: Mapped[int]
    migrated_at: Mapped[datetime]
    migrated_by: Mapped[str] = mapped_column(String(64))
    # The batch that moved it back, once undone.
    undone_by: Mapped[str | None] = mapped_column(String(36))


class MigrationBatch(Base):
    """One migration batch (or the undo of one) and how far it got: the instances it is to
    move in order, the position of the next, the count moved and why the others were not.
    A batch moves a few instances per request, so a page can show its progress; each step
    advances `position` under the row's version, in the same unit of work as the move."""

    __tablename__ = "migration_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(120), index=True)
    source_definition_id: Mapped[str] = mapped_column(String(120))
    target_definition_id: Mapped[str] = mapped_column(String(120))
    # The plan's instructions, source activity id -> target activity id.
    instructions_json: Mapped[str] = mapped_column(Text)
    # [[instance id, the row version it must still be at, or null], ...], in order.
    instances_json: Mapped[str] = mapped_column(Text)
    total: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    migrated: Mapped[int] = mapped_column(default=0)
    # [{"processInstanceId", "reasons": [{"activityId", "reason", "message"}]}, ...]
    skipped_json: Mapped[str] = mapped_column(Text, default="[]")
    # The batch this one undoes, and the batch that undid this one.
    undoes: Mapped[str | None] = mapped_column(String(36))
    undone_by: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
