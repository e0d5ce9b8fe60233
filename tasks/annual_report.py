"""`tic_annual_report` (年度报告, R18): opening the year's report and what each step records."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import annual_reports

PROCESS = "tic_annual_report"


@handler(
    "open_annual_report",
    title="开启年度报告",
    reads=("centerCode", "reportYear", "reportDueMonth", "reportDueDay"),
    writes=("centerName", "reportDueDate", "applicantOrg", "recommenderOrg"),
)
def open_annual_report(ctx: ServiceTaskEvent) -> dict:
    return annual_reports.open_report(ctx.app, ctx.session, ctx.variables)


@on_complete(PROCESS, "submit_annual_report")
def submit_annual_report(event: TaskEvent) -> None:
    problems = annual_reports.submission_problems(event.variables, event.values)
    if problems:
        raise Refused(problems)
    annual_reports.record_submission(event.session, event.process_instance_id, event.variables,
                                     event.actor_id, event.values, event.now)


@on_complete(PROCESS, "authority_review_report")
def authority_review_report(event: TaskEvent) -> None:
    annual_reports.record_authority_review(event.session, event.variables, event.actor_id,
                                           event.values, event.now)


@on_complete(PROCESS, "department_receive_report")
def department_receive_report(event: TaskEvent) -> None:
    annual_reports.record_receipt(event.session, event.variables, event.actor_id, event.values, event.now)
