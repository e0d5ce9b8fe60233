"""The scoring sheets of a case's latest panel as the case page shows them back: each
expert's score per criterion and total, `averageScore`, `trimmedAverageScore` and which two
totals it dropped. Department staff see every sheet; an expert sees their own sheet only,
without the others' scores or what was dropped; anyone else sees nothing (DESIGN.md,
Confidential data: every shown value is in `confidential.VARIABLES`)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core import confidential
from app.core.context import AppContext
from app.core.identity import Actor
from app.models import ExpertReview, ProcessInstance
from app.tic import expert_reviews, panel_draws


@dataclass(frozen=True)
class Sheet:
    """One expert's sheet: scores by criterion code (None when given without a sheet)."""

    expert: str
    scores: dict[str, int] | None
    total: int
    dropped: bool = False


@dataclass(frozen=True)
class Sheets:
    """`average` and `trimmed` are None until every expert of the panel has scored, and for
    an expert reading their own sheet."""

    criteria: list[dict]
    sheets: list[Sheet]
    complete: bool
    average: float | None = None
    trimmed: float | None = None


def of_case(ctx: AppContext, session: Session, actor: Actor, instance: ProcessInstance) -> Sheets | None:
    """The sheets `actor` may read; None when there is none for them."""
    panel = expert_reviews.latest_panel(session, instance.id)
    reviews = expert_reviews.panel_reviews(session, panel) if panel is not None else []
    criteria = panel_draws.criteria(ctx, session, instance.process_key) if reviews else []
    if not confidential.sees_all(actor):
        own = [_sheet(r) for r in reviews if r.expert == actor.id]
        return Sheets(criteria, own, False) if own else None
    if not reviews:
        return None
    scores = [r.score for r in reviews]
    complete = len(reviews) == len(json.loads(panel.experts_json))
    dropped = expert_reviews.dropped_positions(scores) if complete else set()
    sheets = [_sheet(r, position in dropped) for position, r in enumerate(reviews)]
    if not complete:
        return Sheets(criteria, sheets, False)
    return Sheets(criteria, sheets, True, expert_reviews.average(scores), expert_reviews.trimmed_average(scores))


def _sheet(review: ExpertReview, dropped: bool = False) -> Sheet:
    scores = json.loads(review.criteria_json) if review.criteria_json else None
    return Sheet(review.expert, scores, review.score, dropped)
