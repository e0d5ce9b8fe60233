"""The confidential part of a case, in one table: the expert panel, each expert's review and
everything computed from the scores (DESIGN.md, "Confidential data").

Department staff see all of it; an expert sees their own review; the applicant, the
recommender and other experts see none of it, before or after the decision. The decision
itself and the opinions addressed to the applicant are not confidential. Every face that
shows a case's variables or steps asks this module: the REST variables and form variables,
the task lists, history (tasks, activities), the tasklist pages, the center timeline, 催办,
comments and attachments.
"""
from __future__ import annotations

import re

from sqlalchemy import and_, bindparam, or_, true

from app.core.identity import Actor

VARIABLES = frozenset({
    "experts",  # the panel
    "panelReason",  # why the panel was chosen by hand rather than drawn
    "expert",  # the multi-instance element: the expert of one review
    "expertScore", "expertOpinion", "expertRecommend",  # one expert's review
    "criterionScores",  # its scoring sheet, per criterion
    "expertScores", "expertReviews",  # the reviews collected for the grading
    "averageScore", "trimmedAverageScore", "expertsRecommending",  # aggregates of the scores
    "suggestedGrade",  # the grade the average suggests
    "ranking",
    # Who objected to a 公示 and how to reach them: the department's, never the applicant's.
    "objectorName", "objectorContact",
})
# Steps whose rows name the experts or count their reviews: choosing the panel, each
# review, and summing the scores up.
STEPS = frozenset({"assign_experts", "expert_review", "aggregate_reviews"})
# Department staff (科技厅, 专业机构) and administrators.
READERS = frozenset({"department", "department_leader", "manager", "agency", "admin"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def sees_all(actor: Actor) -> bool:
    return actor.in_any(READERS)


def visible_values(actor: Actor, values: dict) -> dict:
    """The variables `actor` may read."""
    if sees_all(actor):
        return values
    return {name: value for name, value in values.items() if name not in VARIABLES}


def mentions(expression: str) -> bool:
    """Whether an expression (a decision table's input) names a confidential variable."""
    return not VARIABLES.isdisjoint(_NAME.findall(expression or ""))


def sees_step(actor: Actor, step_key: str | None, doer: str | None) -> bool:
    """Whether `actor` may see a step (a task, an activity): any step but the confidential
    ones, those too for department staff, and their own review for an expert."""
    return step_key not in STEPS or sees_all(actor) or (doer is not None and doer == actor.id)


def step_values(actor: Actor, doer: str | None, values: dict) -> dict:
    """What a visible step submitted, as `actor` may read it (their own step in full)."""
    return values if doer is not None and doer == actor.id else visible_values(actor, values)


def not_confidential(key_column):
    """A SQL condition: the step in `key_column` is not a confidential one. Its only
    parameters are constants, so a prepared statement may hold it for any reader."""
    return and_(*(key_column != step for step in sorted(STEPS)))


def step_condition(actor: Actor, key_column, doer_column):
    """A SQL condition: the rows of steps `actor` may see (as `sees_step`)."""
    if sees_all(actor):
        return true()
    return or_(not_confidential(key_column), doer_column == bindparam("reader_id", actor.id))
