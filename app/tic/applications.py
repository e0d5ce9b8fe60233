"""Establishment applications (技术创新中心组建申请): who applies, what is checked on
submission, and the read models the approving leader works from (review file, ranking)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import HistoricTask, Organization, ProcessInstance, Task, User

from app.core import confidential
from app.core.errors import Forbidden, NotFound
from app.core.identity import Actor
from app.platform import notifications
from app.tic import expert_reviews

PROCESS_KEY = "tic_establishment"
RECOMMENDING_KINDS = ("prefecture_government", "industry_authority")
# Shown in the review file on their own, not again among the steps.
_APPRAISAL_TASKS = ("expert_review",)


ESTABLISHMENT = "tic_establishment"
# The kinds of unit that may lead a center (the application form's 单位类型).
LEAD_UNIT_KINDS = frozenset({"enterprise", "university", "research_institute", "technical_institution",
                             "new_rnd_institution"})


def starting_values(session: Session, actor: Actor, process_key: str) -> dict:
    """What an application starts with: the signed-in unit as the lead unit (its name, kind
    and credit code), so the applicant does not type what the system knows."""
    organization = session.get(Organization, actor.organization_id)
    if process_key != ESTABLISHMENT or organization is None or organization.kind not in LEAD_UNIT_KINDS:
        return {}
    lead = {"name": organization.name, "kind": organization.kind}
    if organization.credit_code:
        lead["creditCode"] = organization.credit_code
    return {"leadUnit": lead}


def tell_ineligible(session: Session, instance_id: str, reasons: list[str], now: datetime) -> None:
    """Tell the applicant at once why the application failed the eligibility check: the
    form comes back to them with the same reasons beside the fields."""
    row = session.get(ProcessInstance, instance_id)
    if row is None or not row.started_by:
        return
    case = notifications.case_name(row.business_name, row.business_key)
    case_en = notifications.case_name_en(row.business_name, row.business_key)
    # The reasons are the decision table's own (Chinese) messages: both sides show them.
    why = "；".join(reasons) or "不符合组建条件"
    notifications.notify(
        session, row.started_by, "returned", notifications.both("组建条件审查未通过", "Eligibility check failed"),
        notifications.both(f"{case}未通过组建条件审查：{why}。请修改后重新提交。",
                           f"{case_en} did not pass the eligibility check: {why}. Please revise it and submit again."),
        instance_id, now=now)


def applicant_organization(session: Session, instance_id: str) -> str:
    """The organization that owns an application: the one of the user who started it."""
    owner = session.scalar(select(ProcessInstance.owner_org).where(ProcessInstance.id == instance_id))
    if not owner:
        raise ValueError("申报流程没有发起单位：请由牵头单位的用户发起 / the instance has no owner organization")
    return owner


def application_problems(session: Session, values: dict) -> list[dict]:
    """What the form schema cannot say: blank plan sections (R09) and an unknown
    recommending department (R11), given by id or by name."""
    problems = plan_problems(values)
    recommender = values.get("recommenderOrg")
    if recommender is not None and recommending_org_id(session, recommender) is None:
        problems.append({
            "field": "recommenderOrg",
            "message": f"推荐部门“{recommender}”不是已登记的地州市人民政府（行署）或自治区行业主管部门，"
                       "请填写其机构代码（如 urumqi_gov）或全称",
        })
    return problems


def plan_problems(values: dict) -> list[dict]:
    """R09: a section of the construction plan holds words, not only blanks."""
    return [
        {"field": f"plan.{section}", "message": "建设方案各部分不能只填写空白，请填写实际内容"}
        for section, text in (values.get("plan") or {}).items()
        if isinstance(text, str) and not text.strip()
    ]


def recommending_org_id(session: Session, id_or_name: str) -> str | None:
    """The id of the recommending department named by its id or its full name."""
    given = id_or_name.strip()
    return session.scalar(select(Organization.id).where(
        or_(Organization.id == given, Organization.name == given),
        Organization.kind.in_(RECOMMENDING_KINDS),
    ))


def _require_department_view(actor: Actor) -> None:
    # Experts' scores and opinions stay within the S&T Department (and those it entrusts).
    if not confidential.sees_all(actor):
        raise Forbidden("只有科技厅及受托专业机构可以查看评审详情 / the review file is for the department only")


def review_file(session: Session, actor: Actor, instance_id: str) -> dict:
    """Everything the approval decision rests on: the application, every completed step
    with who confirmed it and when (R10), each expert's review and the site visit."""
    _require_department_view(actor)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.process_key != PROCESS_KEY:
        raise NotFound(f"组建申请 {instance_id} 不存在 / application not found")
    values = json.loads(instance.variables_json).get("values", {})
    panel = expert_reviews.latest_panel(session, instance_id)
    return {
        "processInstanceId": instance.id,
        "businessKey": instance.business_key,
        "state": instance.state.value,
        "application": _application_summary(values),
        "steps": _completed_steps(session, instance_id),
        "expertPanel": _panel_view(panel),
        "expertReviews": _reviews_view(session, panel),
        "averageScore": values.get("averageScore"),
        "expertsRecommending": values.get("expertsRecommending"),
        "siteVisit": _site_visit_view(expert_reviews.latest_site_visit(session, instance_id)),
    }


def _application_summary(values: dict) -> dict:
    names = ("centerName", "category", "field", "region", "leadUnit", "coBuilders", "legalEntity",
             "legalEntityPlanDate", "recommenderOrg", "applicationRound", "eligible",
             "eligibilityReasons", "recommendationLetterNo", "preparatoryBoardFormed")
    return {name: values.get(name) for name in names}


def _completed_steps(session: Session, instance_id: str) -> list[dict]:
    rows = session.scalars(
        select(HistoricTask).where(
            HistoricTask.instance_id == instance_id, HistoricTask.completed_by.is_not(None),
            HistoricTask.task_key.not_in(_APPRAISAL_TASKS),
        ).order_by(HistoricTask.end_time, HistoricTask.start_time)
    )
    return [
        {"taskKey": row.task_key, "name": row.name, "completedBy": row.completed_by,
         "completedAt": format_camunda(row.end_time), "variables": json.loads(row.variables_json or "{}")}
        for row in rows
    ]


def _panel_view(panel) -> dict | None:
    if panel is None:
        return None
    return {"experts": json.loads(panel.experts_json), "assignedBy": panel.assigned_by,
            "assignedAt": format_camunda(panel.assigned_at)}


def _reviews_view(session: Session, panel) -> list[dict]:
    if panel is None:
        return []
    reviews = expert_reviews.panel_reviews(session, panel)
    people = dict(session.execute(
        select(User.id, Organization.name).join(Organization, Organization.id == User.organization_id)
        .where(User.id.in_([r.expert for r in reviews]))
    ).all())
    return [
        {"expert": r.expert, "organization": people.get(r.expert), "score": r.score,
         "opinion": r.opinion, "recommend": r.recommend, "submittedAt": format_camunda(r.submitted_at)}
        for r in reviews
    ]


def _site_visit_view(visit) -> dict | None:
    if visit is None:
        return None
    return {"passed": visit.passed, "report": visit.report,
            "visitedOn": visit.visited_on.isoformat() if visit.visited_on else None,
            "recordedBy": visit.recorded_by, "recordedAt": format_camunda(visit.recorded_at)}


def ranking(session: Session, actor: Actor) -> list[dict]:
    """Applications waiting for the approval decision, best average expert score first (择优)."""
    _require_department_view(actor)
    rows = session.execute(
        select(Task.id, ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.variables_json)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(Task.process_key == PROCESS_KEY, Task.task_key == "approval_decision")
    ).all()
    entries = [_ranking_entry(*row) for row in rows]
    entries.sort(key=lambda e: (e["averageScore"] is None, -(e["averageScore"] or 0), e["businessKey"] or ""))
    for rank, entry in enumerate(entries, start=1):
        entry["rank"] = rank
    return entries


def _ranking_entry(task_id: str, instance_id: str, business_key: str | None, variables_json: str) -> dict:
    values = json.loads(variables_json).get("values", {})
    return {
        "processInstanceId": instance_id, "businessKey": business_key, "taskId": task_id,
        "centerName": values.get("centerName"), "category": values.get("category"),
        "field": values.get("field"), "region": values.get("region"),
        "leadUnit": (values.get("leadUnit") or {}).get("name"),
        "recommenderOrg": values.get("recommenderOrg"),
        "averageScore": values.get("averageScore"),
        "expertsRecommending": values.get("expertsRecommending"),
        "siteVisitPassed": values.get("siteVisitPassed"),
    }
