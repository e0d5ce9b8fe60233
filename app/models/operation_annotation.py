"""An operator's note on an entry of the user operation log (Camunda's annotation). The
entries themselves are read from the append-only audit log and history, so the note is
kept beside them, one per operation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OperationAnnotation(Base):
    __tablename__ = "operation_annotation"

    # The entry's operation id (`a-<audit id>` or `h-<history event id>`).
    operation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    annotation: Mapped[str] = mapped_column(Text)
    annotated_by: Mapped[str] = mapped_column(String(64))
    annotated_at: Mapped[datetime]
