"""Topic `init_application`: the starter's organization owns the application."""
from __future__ import annotations

from app.core.extensions import ServiceTaskEvent, handler
from app.tic.applications import applicant_organization


@handler(
    "init_application",
    title="确定申报单位",
    writes=("applicantOrg", "applicationRound", "legalEntityPlanDate"),
)
def init_application(ctx: ServiceTaskEvent) -> dict:
    """`applicantOrg` scopes fill_application to the lead unit (`lead_unit:${applicantOrg}`).

    The eligibility table reads the optional plan date: it starts as None so that
    "not given" is a value the table can test, not a missing name.
    """
    return {
        "applicantOrg": applicant_organization(ctx.session, ctx.process_instance_id),
        "applicationRound": 1,
        "legalEntityPlanDate": None,
    }
