"""Each evaluation of a decision table by a process: what its inputs were and what the
rules its hit policy kept gave (Camunda's historic decision instances, with their inputs
and outputs kept beside them as JSON: they are read with their evaluation, never alone)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class HistoricDecisionInstance(Base):
    __tablename__ = "historic_decision_instance"
    __table_args__ = (
        Index("ix_historic_decision_instance_instance", "instance_id", "evaluation_time"),
        Index("ix_historic_decision_instance_key_time", "decision_key", "evaluation_time"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The deployed version the process was bound to; None where it is no longer there.
    decision_definition_id: Mapped[str | None] = mapped_column(String(120))
    decision_key: Mapped[str] = mapped_column(String(100))
    decision_name: Mapped[str | None] = mapped_column(String(200))
    instance_id: Mapped[str] = mapped_column(String(36))
    process_key: Mapped[str] = mapped_column(String(100))
    definition_id: Mapped[str] = mapped_column(String(120))
    activity_id: Mapped[str] = mapped_column(String(100))
    activity_name: Mapped[str | None] = mapped_column(String(200))
    activity_instance_id: Mapped[str] = mapped_column(String(36))
    evaluation_time: Mapped[datetime]
    # Who made the command that evaluated it (None: the job executor, a timer).
    user_id: Mapped[str | None] = mapped_column(String(64))
    hit_policy: Mapped[str] = mapped_column(String(20))
    inputs_json: Mapped[str] = mapped_column(Text)
    outputs_json: Mapped[str] = mapped_column(Text)
