"""The listeners and result of `tic_expert_review` (专家论证与实地评估): who may review (R15),
each expert's review, the site visit, and the panel's result."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import expert_reviews

# Processes that call tic_expert_review: listeners are keyed by the calling instance's process.
REVIEWING_PROCESSES = ("tic_establishment", "tic_evaluation")


def assign_experts(event: TaskEvent) -> None:
    """Refuse conflicted or unknown experts and too small a panel, else record the panel."""
    experts = list(event.values.get("experts") or [])
    problems = expert_reviews.panel_problems(
        event.session, experts, event.variables, event.app.settings.min_expert_panel
    )
    if problems:
        raise Refused(problems)
    expert_reviews.record_panel(event.session, event.process_instance_id, event.process_key,
                                experts, event.actor_id, event.now)


def expert_review(event: TaskEvent) -> None:
    expert_reviews.record_review(event.session, event.process_instance_id, event.task_id,
                                 event.actor_id, event.values, event.now)


def site_visit(event: TaskEvent) -> None:
    expert_reviews.record_site_visit(event.session, event.process_instance_id, event.task_id,
                                     event.values, event.actor_id, event.now)


for process_key in REVIEWING_PROCESSES:
    on_complete(process_key, "assign_experts")(assign_experts)
    on_complete(process_key, "expert_review")(expert_review)
    on_complete(process_key, "site_visit")(site_visit)


@handler("aggregate_expert_reviews", title="汇总专家意见", writes=("averageScore", "expertsRecommending"))
def aggregate_expert_reviews(ctx: ServiceTaskEvent) -> dict:
    """`averageScore` and `expertsRecommending` of the panel's reviews."""
    return expert_reviews.summarize(ctx.session, ctx.process_instance_id)
