"""`tic_major_change` (重大变更, R19): the applying center, what each step records, and the
registry change on approval."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import major_changes

PROCESS = "tic_major_change"


@handler(
    "init_change_request",
    title="确定申请单位",
    writes=("applicantOrg", "centerCode", "centerName", "recommenderOrg", "currentCoBuilders"),
)
def init_change_request(ctx: ServiceTaskEvent) -> dict:
    """`applicantOrg` scopes submit_change to the starter's center (`center:${applicantOrg}`)."""
    return major_changes.starting_variables(ctx.session, ctx.process_instance_id)


@on_complete(PROCESS, "submit_change")
def submit_change(event: TaskEvent) -> None:
    """Only a center still in the sequence applies, for itself (its staff's organization)."""
    problems = major_changes.request_problems(event.session, event.actor_organization_id, event.values)
    if problems:
        raise Refused(problems)
    major_changes.record_submission(event.session, event.process_instance_id, event.business_key,
                                    event.actor_organization_id, event.actor_id, event.values, event.now)


@handler(
    "bind_change_center",
    title="登记变更申请",
    writes=("centerCode", "centerName", "recommenderOrg", "currentCoBuilders"),
)
def bind_change_center(ctx: ServiceTaskEvent) -> dict:
    return major_changes.bind_center(ctx.session, ctx.process_instance_id)


@on_complete(PROCESS, "authority_review")
def authority_review(event: TaskEvent) -> None:
    major_changes.record_authority_review(event.session, event.process_instance_id, event.actor_id,
                                          event.values, event.now)


@on_complete(PROCESS, "department_approval")
def department_approval(event: TaskEvent) -> None:
    problems = major_changes.approval_problems(event.session, event.process_instance_id, event.values)
    if problems:
        raise Refused(problems)
    major_changes.record_department_decision(event.session, event.process_instance_id, event.actor_id,
                                             event.values, event.now)


@handler("apply_center_change", title="变更登记")
def apply_center_change(ctx: ServiceTaskEvent) -> dict:
    return major_changes.apply_change(ctx.session, ctx.process_instance_id, ctx.now)
