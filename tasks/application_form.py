"""The submitted application: what the form schema cannot check (R09, R11), the
recommending department it names, by id or by name, resolved to its id, and the applicant
told at once when the eligibility check (R04–R07) sends it back."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.clock import to_shanghai
from app.tic import rounds
from app.tic.applications import application_problems, recommending_org_id, tell_ineligible


@on_complete("tic_establishment", "fill_application")
def check_application(event: TaskEvent) -> None:
    problems = application_problems(event.session, event.values)
    outside = rounds.field_problem(event.session, event.variables.get("roundId"), event.values,
                                   to_shanghai(event.now).date())
    if outside:
        problems.append(outside)
    if problems:
        raise Refused(problems)


@handler(
    "resolve_recommender",
    title="确定推荐部门",
    reads=("recommenderOrg",),
    writes=("recommenderOrg",),
)
def resolve_recommender(ctx: ServiceTaskEvent) -> dict:
    """`recommender:${recommenderOrg}` and the registry need the organization's id."""
    given = ctx.variables["recommenderOrg"]
    org_id = recommending_org_id(ctx.session, given)
    if org_id is None:
        raise ValueError(f"推荐部门“{given}”已不存在 / recommending department not found")
    return {"recommenderOrg": org_id}


@handler("notify_ineligible")
def notify_ineligible(event: ServiceTaskEvent) -> None:
    tell_ineligible(event.session, event.process_instance_id,
                    list(event.variables.get("eligibilityMessages") or []), event.now)
