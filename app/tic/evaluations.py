"""Performance evaluation (绩效评估, 《工作指引》五): one `tic_evaluation` instance per
3-year cycle (R20). Its steps write the cycle's file here: the materials and their review,
the grade and the funding (R21, R27), the integrity finding (R26), the rectification year
(R23); a good result starts the next cycle (R22).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import (
    CenterEvaluation, CenterStatus, EvaluationDetail, InstanceState, MessageSubscription,
    Organization, ProcessInstance, Rectification, User,
)

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound, ServiceError
from app.core.identity import Actor
from app.core.senders import Sender
from app.platform.messages import correlate
from app.platform.permissions import enforce
from app.platform.process_instances import start_process
from app.tic import expert_reviews, lifecycle
from app.tic.registry import get_center

EVALUATION_PROCESS = "tic_evaluation"


# ------------------------------------------------------------------ the cycle's file


def open_cycle(session: Session, instance_id: str, variables: dict, now: datetime) -> dict:
    """The cycle ended (R20): number it, open its file, and give the process the center as
    the registry has it now (name, units and supervising unit may have changed, R19)."""
    subject = lifecycle.center(session, variables["centerCode"])
    cycle = (session.scalar(select(func.max(CenterEvaluation.cycle))
                            .where(CenterEvaluation.center_code == subject.code)) or 0) + 1
    evaluation = CenterEvaluation(center_code=subject.code, cycle=cycle, process_instance_id=instance_id)
    session.add(evaluation)
    session.flush()
    session.add(EvaluationDetail(
        evaluation_id=evaluation.id, cycle_start=date.fromisoformat(variables["cycleStartDate"]),
        cycle_end=lifecycle.today(datetime.fromisoformat(variables["nextEvaluationDue"])),
        opened_at=now,
    ))
    session.flush()
    return {
        "evaluationCycle": cycle, "centerName": subject.name, "category": subject.category,
        "leadUnit": json.loads(subject.lead_unit_json),
        "coBuilders": json.loads(subject.co_builders_json),
        "applicantOrg": subject.lead_org_id, "recommenderOrg": subject.supervising_org_id,
        "materialsReturned": 0,
    }


def _evaluation(session: Session, instance_id: str) -> CenterEvaluation:
    found = session.scalar(select(CenterEvaluation).where(CenterEvaluation.process_instance_id == instance_id))
    if found is None:
        raise LookupError(f"流程实例 {instance_id} 没有对应的评估周期 / no evaluation cycle")
    return found


def _detail(session: Session, instance_id: str) -> EvaluationDetail:
    return session.get(EvaluationDetail, _evaluation(session, instance_id).id)


def set_materials_deadline(session: Session, instance_id: str, variables: dict, now: datetime) -> dict:
    """Materials are due `materialsDays` after the notice; returned ones `supplementDays`
    after the return (tic_evaluation_terms); the deadline lasts to the end of its day."""
    days = variables["supplementDays"] if variables["materialsReturned"] else variables["materialsDays"]
    due = lifecycle.end_of(lifecycle.today(now) + timedelta(days=int(days)))
    _detail(session, instance_id).materials_due_at = due
    return {"materialsDueDate": lifecycle.timer_date(due)}


def record_materials(session: Session, instance_id: str, actor_id: str, values: dict,
                     now: datetime) -> None:
    detail = _detail(session, instance_id)
    detail.materials_json = json.dumps(values["evaluationMaterials"], ensure_ascii=False)
    detail.materials_submissions += 1
    detail.materials_submitted_by, detail.materials_submitted_at = actor_id, now


def authority_review_problems(variables: dict, values: dict) -> list[dict]:
    """The supervising unit may send the materials back only as often as the terms allow."""
    allowed = int(variables["materialsReturnsAllowed"])
    if values.get("authorityDecision") == "return" and variables["materialsReturned"] >= allowed:
        return [{"field": "authorityDecision",
                 "message": f"评估材料已退回补正 {allowed} 次，不能再次退回，请作出审核结论"}]
    return []


def record_authority_review(session: Session, instance_id: str, actor_id: str, values: dict,
                            now: datetime) -> None:
    detail = _detail(session, instance_id)
    detail.authority_decision = values["authorityDecision"]
    detail.authority_opinion = values.get("authorityOpinion")
    detail.authority_by, detail.authority_at = actor_id, now


def expert_scores(session: Session, instance_id: str) -> list[int]:
    """The panel's scores as submitted, to set beside the grade without the experts'
    names, which stay in the department's file (R15)."""
    panel = expert_reviews.latest_panel(session, instance_id)
    return [review.score for review in expert_reviews.panel_reviews(session, panel)]


def grading_problems(values: dict) -> list[dict]:
    if values.get("integrityViolation") and not str(values.get("integrityFinding") or "").strip():
        return [{"field": "integrityFinding",
                 "message": "认定存在弄虚作假或违反科研诚信情况的，须写明认定的事实和依据"}]
    return []


def record_grading(session: Session, instance_id: str, actor_id: str, values: dict,
                   variables: dict) -> None:
    """Keep who graded, the experts' average and the table's suggestion beside the grade,
    and an integrity finding (R26)."""
    detail = _detail(session, instance_id)
    detail.average_score = variables.get("averageScore")
    detail.suggested_grade = variables.get("suggestedGrade")
    detail.grade_opinion = values.get("gradeOpinion")
    detail.graded_by = actor_id
    detail.integrity_violation = bool(values.get("integrityViolation"))
    detail.integrity_finding = values.get("integrityFinding") if detail.integrity_violation else None


def record_result(session: Session, instance_id: str, variables: dict, now: datetime) -> None:
    """The cycle's grade and the funding awarded for it (R21, R27)."""
    evaluation = _evaluation(session, instance_id)
    evaluation.grade = variables["grade"]
    evaluation.funding_wan = int(variables["fundingWan"])
    evaluation.decided_at = now


def open_rectification(session: Session, instance_id: str, variables: dict, now: datetime) -> dict:
    """A poor grade: the center rectifies within `rectificationMonths` (R23)."""
    evaluation = _evaluation(session, instance_id)
    subject = lifecycle.center(session, evaluation.center_code)
    lifecycle.transition(session, subject, CenterStatus.RECTIFYING, "poor_grade", instance_id, now)
    due = lifecycle.end_of(lifecycle.months_later(lifecycle.today(now), int(variables["rectificationMonths"])))
    session.add(Rectification(evaluation_id=evaluation.id, center_code=subject.code, opened_at=now, due_at=due))
    session.flush()
    return {"rectificationDueDate": lifecycle.timer_date(due)}


def _rectification(session: Session, instance_id: str) -> Rectification:
    return session.get(Rectification, _evaluation(session, instance_id).id)


def record_rectification_report(session: Session, instance_id: str, actor_id: str, values: dict,
                                now: datetime) -> None:
    rectification = _rectification(session, instance_id)
    rectification.report = values["rectificationReport"]
    rectification.submitted_by, rectification.submitted_at = actor_id, now


def record_rectification_review(session: Session, instance_id: str, actor_id: str, values: dict,
                                now: datetime) -> None:
    rectification = _rectification(session, instance_id)
    rectification.passed = values["rectificationPassed"]
    rectification.review_opinion = values.get("rectificationOpinion")
    rectification.reviewed_by, rectification.reviewed_at = actor_id, now


def end_rectification(session: Session, instance_id: str, now: datetime) -> None:
    subject = lifecycle.center(session, _evaluation(session, instance_id).center_code)
    lifecycle.transition(session, subject, CenterStatus.OPERATING, "rectification_passed", instance_id, now)


# ------------------------------------------------------------------ the next cycle


def start_next_cycle(ctx: AppContext, session: Session, instance_id: str, variables: dict,
                     now: datetime) -> str:
    """Start the next cycle's instance (R22); returns its business key.

    After a good grade the next cycle follows on from this one's end; after a passed
    rectification it starts on the day the center is back in operation.
    """
    evaluation = _evaluation(session, instance_id)
    subject = lifecycle.center(session, evaluation.center_code)
    rectified = session.get(Rectification, evaluation.id) is not None
    start = lifecycle.today(now) if rectified else session.get(EvaluationDetail, evaluation.id).cycle_end
    years = int(variables["evaluationCycleYears"])
    business_key = f"{subject.code}-EV-{start.year}"
    taken = session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.process_key == EVALUATION_PROCESS, ProcessInstance.business_key == business_key))
    if taken is not None:
        raise RuntimeError(f"业务键 {business_key} 已被流程实例 {taken} 使用 / business key taken")
    subject.next_evaluation_due = lifecycle.years_later(start, years)
    start_process(ctx, session, None, key=EVALUATION_PROCESS, business_key=business_key, variables={
        "centerCode": subject.code, "centerName": subject.name,
        "applicantOrg": subject.lead_org_id, "recommenderOrg": subject.supervising_org_id,
        "cycleStartDate": start.isoformat(),
        "nextEvaluationDue": f"{subject.next_evaluation_due.isoformat()}T00:00:00+08:00",
        "evaluationCycleYears": years,
    })
    return business_key


# ------------------------------------------------------------------ withdrawal (R25)

WITHDRAWN_MESSAGE = "EvaluationWithdrawn"


def withdrawal_refusal(actor: Actor, lead_org_id: str | None) -> ServiceError | None:
    """R25 中途退出: the center's own staff, or the department on its behalf."""
    if actor.in_any({"department"}) or (
            "center" in actor.groups and lead_org_id is not None and actor.organization_id == lead_org_id):
        return None
    return Forbidden("只有技术创新中心本单位或科技厅可以办理退出评估 / only the center or the department may withdraw")


# Who may send the evaluation's messages (registered on the context when the app is assembled).
MESSAGE_SENDERS = {
    WITHDRAWN_MESSAGE: Sender(
        lambda actor, instance, values: withdrawal_refusal(actor, values.get("applicantOrg")), "withdrawnBy"),
}


def withdraw(ctx: AppContext, session: Session, actor: Actor, code: str, reason: str | None) -> str:
    """The center quits its evaluation part-way (中途退出): its own staff or the department
    sends `EvaluationWithdrawn` to the evaluation under way; returns its business key."""
    shown = get_center(session, actor, code)
    enforce(withdrawal_refusal(actor, shown["leadUnit"]["organizationId"]))
    business_key = session.scalar(
        select(MessageSubscription.business_key)
        .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
        .where(ProcessInstance.process_key == EVALUATION_PROCESS,
               ProcessInstance.state == InstanceState.ACTIVE,
               ProcessInstance.business_key.like(f"{code}-EV-%"),
               MessageSubscription.message_name == WITHDRAWN_MESSAGE)
        .limit(1)
    )
    if business_key is None:
        raise BadRequest(f"技术创新中心 {code} 当前不在绩效评估中，无需退出 / no evaluation under way")
    text = (reason or "").strip() or "技术创新中心申请中途退出评估"
    correlate(ctx, session, None, WITHDRAWN_MESSAGE, business_key=business_key,
              variables={"withdrawReason": text, "withdrawnBy": actor.id})
    return business_key


# ------------------------------------------------------------------ the department's file


def review_file(session: Session, actor: Actor, code: str, cycle: int) -> dict:
    """One cycle's file for the department side: materials, the supervising unit's review,
    each expert's review, the site visit, the grade, funding, finding and rectification."""
    if not confidential.sees_all(actor):
        raise Forbidden("只有科技厅及受托专业机构可以查看评估档案 / the evaluation file is for the department only")
    evaluation = session.scalar(select(CenterEvaluation).where(
        CenterEvaluation.center_code == code, CenterEvaluation.cycle == cycle))
    if evaluation is None:
        raise NotFound(f"技术创新中心 {code} 没有第 {cycle} 个评估周期 / evaluation not found")
    detail = session.get(EvaluationDetail, evaluation.id)
    return {
        "centerCode": code, "cycle": cycle, "processInstanceId": evaluation.process_instance_id,
        "cycleStart": detail.cycle_start.isoformat(), "cycleEnd": detail.cycle_end.isoformat(),
        "materials": {
            "dueAt": format_camunda(detail.materials_due_at),
            "content": json.loads(detail.materials_json) if detail.materials_json else None,
            "submissions": detail.materials_submissions,
            "submittedBy": detail.materials_submitted_by,
            "submittedAt": format_camunda(detail.materials_submitted_at),
        },
        "authorityReview": {
            "decision": detail.authority_decision, "opinion": detail.authority_opinion,
            "by": detail.authority_by, "at": format_camunda(detail.authority_at),
        },
        "expertReviews": _expert_reviews(session, evaluation.process_instance_id),
        "siteVisit": _site_visit(session, evaluation.process_instance_id),
        "averageScore": detail.average_score, "suggestedGrade": detail.suggested_grade,
        "grade": evaluation.grade, "fundingWan": evaluation.funding_wan,
        "gradeOpinion": detail.grade_opinion, "gradedBy": detail.graded_by,
        "decidedAt": format_camunda(evaluation.decided_at),
        "integrityViolation": detail.integrity_violation, "integrityFinding": detail.integrity_finding,
        "rectification": _rectification_view(session.get(Rectification, evaluation.id)),
    }


def _expert_reviews(session: Session, instance_id: str) -> list[dict]:
    panel = expert_reviews.latest_panel(session, instance_id)
    if panel is None:
        return []
    reviews = expert_reviews.panel_reviews(session, panel)
    organizations = dict(session.execute(
        select(User.id, Organization.name).join(Organization, Organization.id == User.organization_id)
        .where(User.id.in_([r.expert for r in reviews]))
    ).all())
    return [{"expert": r.expert, "organization": organizations.get(r.expert), "score": r.score,
             "opinion": r.opinion, "recommend": r.recommend, "submittedAt": format_camunda(r.submitted_at)}
            for r in reviews]


def _site_visit(session: Session, instance_id: str) -> dict | None:
    visit = expert_reviews.latest_site_visit(session, instance_id)
    if visit is None:
        return None
    return {"passed": visit.passed, "report": visit.report, "recordedBy": visit.recorded_by,
            "visitedOn": visit.visited_on.isoformat() if visit.visited_on else None}


def _rectification_view(rectification: Rectification | None) -> dict | None:
    if rectification is None:
        return None
    return {
        "dueAt": format_camunda(rectification.due_at), "report": rectification.report,
        "submittedBy": rectification.submitted_by, "submittedAt": format_camunda(rectification.submitted_at),
        "passed": rectification.passed, "opinion": rectification.review_opinion,
        "reviewedBy": rectification.reviewed_by, "reviewedAt": format_camunda(rectification.reviewed_at),
    }
