"""Annual reports (年度报告, 《工作指引》四（二）4, R18): one `tic_annual_report` instance per
center and year, keyed `<centerCode>-AR-<year>`. It waits until 1 January of the next year
(Asia/Shanghai), then the center reports, its supervising unit reviews, and the S&T
Department receives it. Each report is kept per center and year.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import AnnualReport, Center, ProcessInstance

from app.core.context import AppContext
from app.core.identity import Actor
from app.platform.deployment import latest_definition
from app.platform.process_instances import start_process
from app.tic import lifecycle
from app.tic.registry import get_center

REPORT_PROCESS = "tic_annual_report"


def business_key(code: str, year: int) -> str:
    return f"{code}-AR-{year}"


def start_reporting(ctx: AppContext, session: Session, center: Center, year: int) -> str | None:
    """Arm the report for `year` (opens on 1 January of the next year); None when the
    process is not deployed or that year's instance already exists."""
    if latest_definition(session, REPORT_PROCESS) is None:
        return None
    key = business_key(center.code, year)
    if session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.process_key == REPORT_PROCESS, ProcessInstance.business_key == key)):
        return None
    start_process(ctx, session, None, key=REPORT_PROCESS, business_key=key, variables={
        "centerCode": center.code, "centerName": center.name, "category": center.category,
        "applicantOrg": center.lead_org_id, "recommenderOrg": center.supervising_org_id,
        "reportYear": year, "reportOpensAt": f"{year + 1}-01-01T00:00:00+08:00",
    })
    return key


def open_report(ctx: AppContext, session: Session, variables: dict) -> dict:
    """The year is over: the report is due on the table's month and day of the next year,
    and the next year's report is armed at once, so a late report never delays it."""
    center = lifecycle.center(session, variables["centerCode"])
    year = int(variables["reportYear"])
    due = lifecycle.end_of(date(year + 1, int(variables["reportDueMonth"]), int(variables["reportDueDay"])))
    start_reporting(ctx, session, center, year + 1)
    return {
        "reportDueDate": lifecycle.timer_date(due), "centerName": center.name,
        "applicantOrg": center.lead_org_id, "recommenderOrg": center.supervising_org_id,
    }


def submission_problems(variables: dict, values: dict) -> list[dict]:
    expected = int(variables["reportYear"])
    if values.get("reportYear") != expected:
        return [{"field": "reportYear", "message": f"本次应报送 {expected} 年度的年度报告"}]
    return []


def record_submission(session: Session, instance_id: str, variables: dict, actor_id: str,
                      values: dict, now: datetime) -> None:
    """Keep the report; a report sent back and submitted again replaces the earlier text."""
    code, year = variables["centerCode"], int(variables["reportYear"])
    content = json.dumps(values["annualReport"], ensure_ascii=False)
    report = _report(session, code, year)
    if report is None:
        session.add(AnnualReport(
            center_code=code, report_year=year, process_instance_id=instance_id, status="submitted",
            content_json=content, submitted_by=actor_id, submitted_at=now,
        ))
        session.flush()
        return
    report.content_json, report.status = content, "submitted"
    report.submissions += 1
    report.submitted_by, report.submitted_at = actor_id, now


def record_authority_review(session: Session, variables: dict, actor_id: str, values: dict,
                            now: datetime) -> None:
    report = _report(session, variables["centerCode"], int(variables["reportYear"]))
    report.authority_decision = values["authorityDecision"]
    report.authority_opinion = values.get("authorityOpinion")
    report.reviewed_by, report.reviewed_at = actor_id, now
    report.status = "reviewed" if report.authority_decision == "approve" else "returned"


def record_receipt(session: Session, variables: dict, actor_id: str, values: dict, now: datetime) -> None:
    report = _report(session, variables["centerCode"], int(variables["reportYear"]))
    report.department_ack = values["departmentAck"]
    report.department_opinion = values.get("departmentOpinion")
    report.received_by, report.received_at = actor_id, now
    report.status = "received" if report.department_ack else "returned"


def _report(session: Session, code: str, year: int) -> AnnualReport | None:
    return session.scalar(select(AnnualReport).where(
        AnnualReport.center_code == code, AnnualReport.report_year == year))


def list_reports(session: Session, actor: Actor, code: str) -> list[dict]:
    """The center's reports by year, for whoever may see the center."""
    get_center(session, actor, code)
    reports = session.scalars(select(AnnualReport).where(AnnualReport.center_code == code)
                              .order_by(AnnualReport.report_year))
    return [report_view(r) for r in reports]


def report_view(report: AnnualReport) -> dict:
    return {
        "year": report.report_year, "status": report.status,
        "report": json.loads(report.content_json), "submissions": report.submissions,
        "submittedBy": report.submitted_by, "submittedAt": format_camunda(report.submitted_at),
        "authorityDecision": report.authority_decision, "authorityOpinion": report.authority_opinion,
        "reviewedBy": report.reviewed_by, "reviewedAt": format_camunda(report.reviewed_at),
        "departmentAck": report.department_ack, "departmentOpinion": report.department_opinion,
        "receivedBy": report.received_by, "receivedAt": format_camunda(report.received_at),
        "processInstanceId": report.process_instance_id,
    }
