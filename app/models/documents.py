"""Official documents (公文): each issued document with its number, the counter that numbers
them gap-free per prefix and year, and the templates administrators edited."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class DocumentCounter(Base):
    """The last number taken for a prefix in a year: raised in the issuing command's
    transaction, so a rolled-back command gives its number back and two commands wait for
    each other instead of taking the same one."""

    __tablename__ = "document_counter"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int]


class OfficialDocument(Base):
    """A document issued on a case, its PDF archived as the case's attachment.

    The issuing command numbers it and keeps its filled-in HTML; the PDF is laid out from
    that HTML after the command (by the job executor, or at the first download, whichever
    comes first), since the layout costs ~0.3 s per document that the deciding user would
    otherwise wait for. Until then `attachment_id` is empty."""

    __tablename__ = "official_document"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "sequence"),
        Index("ix_official_document_instance", "instance_id", "issued_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    instance_id: Mapped[str] = mapped_column(String(36))
    attachment_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    html: Mapped[str] = mapped_column(Text)
    # Who issued it (the deciding user, or "system"): the archived attachment's uploader.
    issued_by: Mapped[str] = mapped_column(String(64))
    # Only department staff may read it (the approval sheet with the whole opinion chain).
    department_only: Mapped[bool] = mapped_column(Boolean)
    signers_json: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]


class DocumentTemplate(Base):
    """A document kind's template as an administrator saved it (the shipped one otherwise)."""

    __tablename__ = "document_template"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
