"""The listeners and result of `tic_expert_review` (专家论证与实地评估): who may review (R15),
each expert's review, the site visit, and the panel's result."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import expert_reviews, panel_draws

# Processes that call tic_expert_review: listeners are keyed by the calling instance's process.
REVIEWING_PROCESSES = ("tic_establishment", "tic_evaluation")


def assign_experts(event: TaskEvent) -> None:
    """Refuse conflicted or unknown experts, too small a panel, and a panel that is neither
    the task's draw nor given a reason; else record the panel and how it was chosen."""
    experts = list(event.values.get("experts") or [])
    problems = expert_reviews.panel_problems(
        event.session, experts, event.variables, event.app.settings.min_expert_panel
    )
    draw_id, reason, unconfirmed = panel_draws.confirmation(event.session, event.task_id, experts,
                                                             event.values.get("panelReason"))
    if problems or unconfirmed:
        raise Refused(problems + unconfirmed)
    applicant, round_key = panel_draws.case_keys(event.session, event.process_instance_id, event.variables)
    expert_reviews.record_panel(event.session, event.process_instance_id, event.process_key, experts,
                                event.actor_id, event.now,
                                expert_reviews.PanelOrigin(draw_id, reason, applicant, round_key))


def expert_review(event: TaskEvent) -> None:
    """A scoring sheet, when given, covers every criterion and its weighted total is the
    score (`expertScore` stays the total 0–100)."""
    sheet = event.values.get("criterionScores")
    if sheet is not None:
        criteria = panel_draws.criteria(event.app, event.session, event.process_key)
        total, problems = expert_reviews.weighted_total(criteria, sheet)
        if total is not None and total != event.values.get("expertScore"):
            problems = [{"field": "expertScore", "message": f"总分应为评分表各项加权合计 {total} 分"}]
        if problems:
            raise Refused(problems)
    expert_reviews.record_review(event.session, event.process_instance_id, event.task_id,
                                 event.actor_id, event.values, event.now)


def site_visit(event: TaskEvent) -> None:
    expert_reviews.record_site_visit(event.session, event.process_instance_id, event.task_id,
                                     event.values, event.actor_id, event.now)


for process_key in REVIEWING_PROCESSES:
    on_complete(process_key, "assign_experts")(assign_experts)
    on_complete(process_key, "expert_review")(expert_review)
    on_complete(process_key, "site_visit")(site_visit)


@handler("aggregate_expert_reviews", title="汇总专家意见",
         writes=("averageScore", "trimmedAverageScore", "expertsRecommending"))
def aggregate_expert_reviews(ctx: ServiceTaskEvent) -> dict:
    """`averageScore`, `trimmedAverageScore` and `expertsRecommending` of the panel's reviews."""
    return expert_reviews.summarize(ctx.session, ctx.process_instance_id)
