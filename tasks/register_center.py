"""Topic `register_center`: the approved application becomes a registered center (R14),
which enters its evaluation cycle and yearly reporting (R18, R20), with its approval reply
(批复); the leader's decision issues the approval sheet (审批单)."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import annual_reports, documents, registry
from app.tic.document_data import CompletingStep, Source


@on_complete("tic_establishment", "approval_decision")
def refuse_approving_a_registered_name(event: TaskEvent) -> None:
    """Stop at the leader's decision, not later as a failed registration job."""
    name = event.variables.get("centerName")
    if event.values.get("approvalDecision") == "approve" and registry.name_registered(event.session, name):
        raise Refused([{"field": "approvalDecision",
                        "message": f"已有同名的技术创新中心“{name}”登记在册，不能再次批准同名中心"}])


@on_complete("tic_establishment", "approval_decision")
def issue_approval_sheet(event: TaskEvent) -> None:
    """The leader's decision closes the opinion chain: the approval sheet records it."""
    documents.issue(event.app, event.session, "approval_sheet", Source(
        event.session, event.process_instance_id, event.business_key, event.variables, event.now,
        CompletingStep(event.task_id, event.actor_id, event.values)))


@handler(
    "register_center",
    title="登记中心",
    reads=("centerName", "category", "field", "region", "applicantOrg", "leadUnit", "coBuilders", "recommenderOrg",
           "evaluationCycleYears", "approvalOpinion"),
    writes=("centerCode",),
)
def register_center(ctx: ServiceTaskEvent) -> dict:
    center = registry.register_center(ctx.app, ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)
    annual_reports.start_reporting(ctx.app, ctx.session, center, center.approved_on.year)
    documents.issue(ctx.app, ctx.session, "approval_reply", Source(
        ctx.session, ctx.process_instance_id, ctx.business_key, ctx.variables, ctx.now))
    return {"centerCode": center.code}
