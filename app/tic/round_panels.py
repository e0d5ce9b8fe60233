"""Expert assignment over a whole round (批量遴选专家): the department draws the panel of every
application of the round waiting at `assign_experts`, then confirms the drawn panels.

Each draw is `panel_draws.draw_for_task` in a command of its own, one application after
another, so each sees the panels drawn before it (`expert_pool` counts an unconfirmed draw
as workload) and the round's panels are balanced. Each confirmation completes that
application's `assign_experts` task through the task service with the drawn panel, as the
single page does; a refused row is told beside it and the others stand. The panels are
confidential (DESIGN.md): department staff only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ExpertDraw

from app.core.context import AppContext
from app.core.errors import Forbidden
from app.core.identity import Actor
from app.platform import permissions, user_tasks
from app.tic import panel_draws, round_batches
from app.tic.round_batches import RowOutcome, Waiting

STEP_NAME = "遴选专家"


@dataclass(frozen=True)
class Assigning:
    """An application of the round waiting at `assign_experts`, with its latest draw."""

    waiting: Waiting
    draw: ExpertDraw | None

    @property
    def panel(self) -> list[str]:
        return panel_draws.panel_of(self.draw) if self.draw is not None else []


def waiting_for_experts(session: Session, actor: Actor, round_id: str) -> list[Assigning]:
    _enforce(actor)
    return [Assigning(w, panel_draws.latest_draw(session, w.task_id))
            for w in round_batches.waiting_at(session, round_id, panel_draws.ASSIGN_STEP)]


def draw_all(ctx: AppContext, actor: Actor, round_id: str) -> list[RowOutcome]:
    """Draw the panel of every waiting application not drawn yet (a further draw needs a
    leader's approval, on the application's own page)."""
    with ctx.db.read() as session:
        undrawn = [a.waiting for a in waiting_for_experts(session, actor, round_id) if a.draw is None]
    return [round_batches.in_own_command(ctx, task, lambda session, task=task: panel_draws.draw_for_task(
        ctx, session, actor, task.task_id)) for task in undrawn]


def confirm_all(ctx: AppContext, actor: Actor, round_id: str, task_ids: list[str]) -> list[RowOutcome]:
    """Complete each chosen application's `assign_experts` with its drawn panel."""
    with ctx.db.read() as session:
        drawn = {a.waiting.task_id: a for a in waiting_for_experts(session, actor, round_id) if a.draw is not None}
    outcomes = []
    for task_id in task_ids:
        chosen = drawn.get(task_id)
        if chosen is None:
            outcomes.append(round_batches.gone(task_id, STEP_NAME))
            continue
        outcomes.append(round_batches.in_own_command(
            ctx, chosen.waiting, lambda session, chosen=chosen: user_tasks.complete(
                ctx, session, actor, chosen.waiting.task_id, {"experts": chosen.panel})))
    return outcomes


def _enforce(actor: Actor) -> None:
    permissions.enforce(permissions.rounds_refusal(actor, keeping=True))
    if not permissions.sees_confidential(actor):
        raise Forbidden("专家组仅科技厅可见 / the panels are the department's")
