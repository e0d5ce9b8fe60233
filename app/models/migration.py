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
