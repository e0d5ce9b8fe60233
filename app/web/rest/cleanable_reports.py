"""Camunda's cleanable process-instance and decision-instance reports (what history cleanup
could remove, per definition); see `platform/cleanable_reports.py`."""
from flask import g, jsonify

from app.platform import cleanable_reports, queries
from app.platform.cleanable_reports import DECISIONS, PROCESSES

from . import blueprint, context, params, query_input

PROCESS_REPORT = "/history/process-definition/cleanable-process-instance-report"
DECISION_REPORT = "/history/decision-definition/cleanable-decision-instance-report"


@blueprint.get(PROCESS_REPORT)
def cleanable_process_instances():
    return jsonify([_shaped("process", "ProcessInstance", row) for row in _rows(PROCESSES)])


@blueprint.get(f"{PROCESS_REPORT}/count")
def count_cleanable_process_instances():
    return _count(PROCESSES)


@blueprint.get(DECISION_REPORT)
def cleanable_decision_instances():
    return jsonify([_shaped("decision", "DecisionInstance", row) for row in _rows(DECISIONS)])


@blueprint.get(f"{DECISION_REPORT}/count")
def count_cleanable_decision_instances():
    return _count(DECISIONS)


def _rows(report):
    q = query_input.from_args(report.criteria, report.sorts)
    page = params.page()
    with context().db.read() as session:
        return cleanable_reports.rows(session, g.actor, report, q, page)


def _count(report):
    q = query_input.from_args(report.criteria)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *cleanable_reports.report_query(g.actor, report, q))})


def _shaped(noun: str, counted: str, row) -> dict:
    return {
        f"{noun}DefinitionId": row.id, f"{noun}DefinitionKey": row.key, f"{noun}DefinitionName": row.name,
        f"{noun}DefinitionVersion": row.version, "historyTimeToLive": None,
        f"finished{counted}Count": row.finished, f"cleanable{counted}Count": 0, "tenantId": None,
    }
