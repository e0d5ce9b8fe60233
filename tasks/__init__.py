"""The service-task handlers and completion listeners of the TIC processes, one module per
topic or form. Each marks its functions with `app.core.extensions.handler` / `on_complete`;
the app registers the modules listed here on its context when it is assembled
(`app.assembly`), and the platform calls them from there: it never imports this package."""
from __future__ import annotations

from tasks import (
    annual_report, application_form, appraisal, delist_center, evaluation, init_application,
    major_change, publicity, register_center,
)

MODULES = (
    annual_report, application_form, appraisal, delist_center, evaluation, init_application,
    major_change, publicity, register_center,
)
