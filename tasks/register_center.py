"""Topic `register_center`: the approved application becomes a registered center (R14),
which enters its evaluation cycle and yearly reporting (R18, R20)."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import annual_reports, registry


@on_complete("tic_establishment", "approval_decision")
def refuse_approving_a_registered_name(event: TaskEvent) -> None:
    """Stop at the leader's decision, not later as a failed registration job."""
    name = event.variables.get("centerName")
    if event.values.get("approvalDecision") == "approve" and registry.name_registered(event.session, name):
        raise Refused([{"field": "approvalDecision",
                        "message": f"已有同名的技术创新中心“{name}”登记在册，不能再次批准同名中心"}])


@handler(
    "register_center",
    title="登记中心",
    reads=("centerName", "category", "field", "region", "applicantOrg", "leadUnit", "coBuilders", "recommenderOrg", "evaluationCycleYears"),
    writes=("centerCode",),
)
def register_center(ctx: ServiceTaskEvent) -> dict:
    center = registry.register_center(ctx.app, ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)
    annual_reports.start_reporting(ctx.app, ctx.session, center, center.approved_on.year)
    return {"centerCode": center.code}
