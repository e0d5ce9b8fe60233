"""The dashboard (工作台) for managers and department staff: the department's figures in
business terms, each a bar chart (ECharts) with its table beside it and an XLSX export.
The figures come from one service (`app.tic.dashboard.summary`), which also decides who
may read them."""
from __future__ import annotations

from flask import abort, render_template

from app.clock import to_shanghai
from app.tic import dashboard

from .. import auth, xlsx
from ..auth import i18n
from ..current import context
from ..tasklist import framed_blueprint
from . import charts
from .. import code_names  # noqa: F401  (registers the names of the registry's codes)
from .messages import MESSAGES

blueprint = framed_blueprint("dashboard_page", __name__)
i18n.register(MESSAGES)


def _summary() -> dict:
    ctx = context()
    with ctx.db.read() as session:
        return dashboard.summary(ctx, session, auth.current_actor())


@blueprint.get("/dashboard")
def dashboard_view():
    summary = _summary()
    shown = charts.charts(summary)
    return render_template(
        "dashboard_page/dashboard.html", charts=shown, sections=charts.SECTIONS,
        drawings={chart.key: chart.drawing() for chart in shown},
        as_of=to_shanghai(context().now()), active_box="dashboard_page.dashboard_view")


@blueprint.get("/dashboard/<key>.xlsx")
def export(key: str):
    chart = charts.by_key(_summary(), key)
    if chart is None:
        abort(404)
    day = to_shanghai(context().now()).strftime("%Y%m%d")
    return xlsx.download(xlsx.workbook(chart.title, chart.columns, chart.rows), f"{chart.title}-{day}.xlsx")
