"""The processes and steps an actor takes part in, for the inbox's filters: a recommender
is offered 推荐部门审核, not every step of every process.

Read without touching the open tasks (an inbox page must not scan 100,000 of them): a step
is the actor's when its diagram names one of their groups, or them, as candidates (a group
written with an expression, `recommender:${recommenderOrg}`, counts for every group of
that kind the actor is in); when they hold an open task of it or completed one; and every
step of a process they started is theirs to follow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from app.engine.errors import InvalidDefinition
from app.engine.model_summary import StepCandidates, step_candidates
from app.models import HistoricTask, ProcessDefinition, ProcessInstance, Task

from app.core.context import AppContext
from app.core.identity import Actor

_EXPRESSION = re.compile(r"\$\{[^}]*\}|#\{[^}]*\}")


@dataclass(frozen=True)
class Involvement:
    started: frozenset[str]
    steps: frozenset[tuple[str, str]]

    def offers(self, process_key: str, task_key: str | None = None) -> bool:
        if process_key in self.started:
            return True
        return any(p == process_key and (task_key is None or s == task_key) for p, s in self.steps)


def involvement(ctx: AppContext, session: Session, actor: Actor,
                definitions: list[ProcessDefinition]) -> Involvement | None:
    """The actor's processes and steps among `definitions`; None for whoever sees every case."""
    if actor.sees_everything:
        return None
    named = {(d.key, c.task_key) for d in definitions for c in _candidates(ctx, d) if _names(c, actor)}
    held = select(Task.process_key, Task.task_key).where(Task.assignee == actor.id)
    done = select(HistoricTask.process_key, HistoricTask.task_key).where(HistoricTask.completed_by == actor.id)
    worked = {tuple(row) for row in session.execute(union(held, done))}
    started = set(session.scalars(
        select(ProcessInstance.process_key).where(ProcessInstance.started_by == actor.id).distinct()))
    return Involvement(frozenset(started), frozenset(named | worked))


def _candidates(ctx: AppContext, definition: ProcessDefinition) -> list[StepCandidates]:
    """A definition never changes once deployed: its steps' candidates are read once."""
    cache = ctx.caches.setdefault("step_candidates", {})
    if definition.id not in cache:
        try:
            cache[definition.id] = step_candidates(definition.bpmn_xml, definition.key)
        except InvalidDefinition:
            # Checked at deploy; a stored diagram gone bad names nobody, it must not stop the inbox.
            cache[definition.id] = []
    return cache[definition.id]


def _names(candidates: StepCandidates, actor: Actor) -> bool:
    if actor.id in candidates.users or candidates.assignee == actor.id:
        return True
    return any(_group_matches(group, actor.candidate_values) for group in candidates.groups)


def _group_matches(written: str, groups) -> bool:
    if not _EXPRESSION.search(written):
        return written in groups
    pattern = re.compile(_pattern_of(written))
    return any(pattern.fullmatch(group) for group in groups)


def _pattern_of(written: str) -> str:
    """`recommender:${recommenderOrg}` as a pattern: the literal parts kept, each expression
    standing for any non-empty text."""
    parts, last = [], 0
    for found in _EXPRESSION.finditer(written):
        parts += [re.escape(written[last:found.start()]), ".+"]
        last = found.end()
    return "".join(parts) + re.escape(written[last:])
