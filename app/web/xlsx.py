"""A table as an XLSX download (openpyxl): the pages export exactly the table they show."""
from __future__ import annotations

import io
import re
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet title, and titles longer than 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def workbook(title: str, columns: list[str], rows: list[list]) -> bytes:
    """One sheet: the header row in bold, then the rows as they are (numbers stay numbers)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _SHEET_TITLE_FORBIDDEN.sub(" ", title)[:31] or "Sheet1"
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            # openpyxl takes a text starting with "=" for a formula: keep data as text.
            if cell.data_type == "f":
                cell.data_type = "s"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, 2 * len(column) + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(data: bytes, filename: str) -> Response:
    """The workbook as an attachment; the Chinese file name per RFC 5987, ASCII beside it."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    response = Response(data, mimetype=MIME)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response
