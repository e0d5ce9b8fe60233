"""Topic `init_application`: the starter's organization owns the application."""
from __future__ import annotations

from app.core.extensions import ServiceTaskEvent, handler
from app.tic import rounds
from app.tic.applications import applicant_organization


@handler(
    "init_application",
    title="确定申报单位",
    reads=("roundId",),
    writes=("applicantOrg", "applicationRound", "legalEntityPlanDate", "fixDeadline"),
)
def init_application(ctx: ServiceTaskEvent) -> dict:
    """`applicantOrg` scopes fill_application to the lead unit (`lead_unit:${applicantOrg}`).

    The eligibility table reads the optional plan date: it starts as None so that
    "not given" is a value the table can test, not a missing name. So does the fix deadline
    of a formal review's return, which `fill_application` is due by (none before a return).
    The application joins
    the round its start was admitted to (`roundId`, set by the start rule).
    """
    if ctx.variables.get("roundId"):
        rounds.join_round(ctx.session, ctx.process_instance_id, ctx.variables["roundId"], ctx.now)
    return {
        "applicantOrg": applicant_organization(ctx.session, ctx.process_instance_id),
        "applicationRound": 1,
        "legalEntityPlanDate": None,
        "fixDeadline": None,
    }
