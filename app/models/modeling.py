"""What the analysts' modeler keeps between visits: one diagram draft per analyst and process."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ModelDraft(Base):
    """A diagram an analyst saved without deploying, possibly with errors. Keyed by the
    process id inside it, so a new diagram's draft is found under the key it will deploy as.
    Deploying does not remove it: the analyst may go on from what they kept."""

    __tablename__ = "model_draft"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime]
