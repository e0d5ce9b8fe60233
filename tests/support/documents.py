"""Reading the official documents the tests issue: their rows and their PDFs' text
(pdftotext, from poppler-utils)."""
from __future__ import annotations

import subprocess

from sqlalchemy import select

from app.models import OfficialDocument


def issued(ctx, kind: str | None = None) -> list[OfficialDocument]:
    with ctx.db.read() as session:
        query = select(OfficialDocument).order_by(OfficialDocument.issued_at, OfficialDocument.sequence)
        if kind is not None:
            query = query.where(OfficialDocument.kind == kind)
        return list(session.scalars(query))


def pdf_text(data: bytes) -> str:
    """The PDF's text in drawing order (a table cell stays whole), its line breaks taken out."""
    assert data.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())
