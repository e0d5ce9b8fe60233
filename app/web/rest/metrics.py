"""Camunda's metrics: a metric's sum over a period, and metrics per interval."""
from flask import g, jsonify, request

from app.clock import format_camunda as when
from app.core.errors import BadRequest
from app.platform import metrics

from . import blueprint, context, params, query_input

PERIOD = ("startDate", "endDate")
# Camunda's default interval: 15 minutes.
DEFAULT_INTERVAL = 900


@blueprint.get("/metrics/<name>/sum")
def metric_sum(name):
    params.known_only(*PERIOD)
    with context().db.read() as session:
        return jsonify({"result": metrics.total(session, g.actor, name, *_period())})


@blueprint.get("/metrics")
def metric_intervals():
    params.known_only("name", "reporter", "interval", "aggregateByReporter", *PERIOD, *params.PAGING)
    seconds = params.int_arg("interval", DEFAULT_INTERVAL)
    if seconds < 1:
        raise BadRequest("interval 应为正整数（秒） / interval must be a positive number of seconds",
                         [{"field": "interval", "message": "应为正整数（秒）"}])
    params.bool_arg("aggregateByReporter")
    page = params.page()
    with context().db.read() as session:
        found = metrics.intervals(session, g.actor, request.args.get("name"), *_period(), seconds)
    # Nothing here reports under a reporter's name: a reporter asked for reported nothing.
    if request.args.get("reporter"):
        found = []
    end = None if page.max_results is None else page.first + page.max_results
    return jsonify([{"timestamp": when(i.start), "name": i.name, "reporter": None, "value": i.value}
                    for i in found[page.first:end]])


def _period() -> tuple:
    return tuple(_date(name) for name in PERIOD)


def _date(name: str):
    text = request.args.get(name)
    return None if text is None else query_input.client_date(name, text)
