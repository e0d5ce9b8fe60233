"""Camunda's cleanable-history reports: per process definition its finished instances, per
decision definition its evaluations, and how many of them history cleanup could remove.
History here is kept (no definition has a time to live, and nothing removes history), so
`historyTimeToLive` is null and nothing is cleanable, as Camunda reports a definition
without a time to live; the finished counts are real, over every instance. The cockpit's
readers."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.identity import Actor
from app.core.paging import Page
from app.models import DecisionDefinition, HistoricDecisionInstance, ProcessDefinition, ProcessInstance

from . import query_criteria as qc
from .permissions import cockpit_refusal, enforce
from .query_criteria import Query


@dataclass(frozen=True)
class Report:
    """A report's rows and their filters: `select` gives id, key, name, version, finished."""

    select: object
    criteria: dict
    sorts: dict
    order: tuple


def _report(definition, finished_of, definition_column) -> Report:
    counted = (select(definition_column.label("definition_id"), func.count().label("finished"))
               .where(finished_of).group_by(definition_column).subquery())
    finished = func.coalesce(counted.c.finished, 0)
    rows = (select(definition.id, definition.key, definition.name, definition.version, finished.label("finished"))
            .outerjoin(counted, counted.c.definition_id == definition.id))
    noun = "process" if definition is ProcessDefinition else "decision"
    criteria = {
        f"{noun}DefinitionIdIn": qc.OneOf(definition.id), f"{noun}DefinitionKeyIn": qc.OneOf(definition.key),
        "compact": qc.Flag(counted.c.finished > 0), **qc.WITHOUT_TENANTS,
    }
    return Report(rows, criteria, {"finished": finished}, (definition.key, definition.version))


PROCESSES = _report(ProcessDefinition, ProcessInstance.end_time.is_not(None), ProcessInstance.definition_id)
DECISIONS = _report(DecisionDefinition, HistoricDecisionInstance.decision_definition_id.is_not(None),
                    HistoricDecisionInstance.decision_definition_id)


def rows(session: Session, actor: Actor, report: Report, q: Query, page: Page) -> list:
    query, parameters = report_query(actor, report, q)
    return list(session.execute(page.apply(qc.ordered(query, report.sorts, q, *report.order)), parameters))


def report_query(actor: Actor, report: Report, q: Query) -> tuple:
    enforce(cockpit_refusal(actor))
    return qc.filtered(actor, report.select, report.criteria, q)
