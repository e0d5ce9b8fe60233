"""The instance list as an Excel workbook (openpyxl), headed and labelled in Chinese, times
in Asia/Shanghai."""
from __future__ import annotations

import io

from openpyxl import Workbook

from app.clock import to_shanghai

from ..auth.i18n import t
from ..model_labels import process_label, step_labels

COLUMNS = ("col.business_key", "col.center", "cockpit.process", "cockpit.version", "col.state",
           "col.step", "cockpit.overdue", "cockpit.applicant", "cockpit.supervisor", "col.started",
           "col.completed")
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def instances_workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t("cockpit.instance_list")
    sheet.append([t(key) for key in COLUMNS])
    for row in rows:
        sheet.append([
            row.business_key, row.business_name, process_label(row.definition_id, row.process_key, row.process_name),
            row.version, t(f"cockpit.{row.state}"), step_labels(row.definition_id, row.current_steps),
            t("bool.yes") if row.overdue else "",
            row.applicant, row.supervisor, _local(row.start_time), _local(row.end_time),
        ])
    for cells in sheet.iter_cols(min_col=10, max_col=11, min_row=2):
        for cell in cells:
            cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local(value):
    """Excel keeps no time zone: the Shanghai wall-clock time officers read."""
    local = to_shanghai(value)
    return local.replace(tzinfo=None) if local else None
