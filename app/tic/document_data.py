"""What each official document says, from the registry and the case's history: one function
per kind, returning the data its template reads (besides the number, issuer and date every
document gets). Expert scores never enter a document the applicant receives: only the
approval sheet, which department staff alone may read, carries the experts' average."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import chinese_day, to_shanghai
from app.models import (
    Center, CenterEvaluation, CenterStatusChange, EvaluationDetail, HistoricTask, Organization, Publicity, User,
)

from app.tic import lifecycle, publicity
from app.tic.registry import CATEGORY_NAMES, FIELD_NAMES, GRADE_NAMES, REGION_NAMES
from app.tic.timeline import REASONS

# The submitted values that carry a step's decision and its opinion, by their names' ends.
_DECISION_ENDS = ("Decision", "Passed")
_OPINION_ENDS = ("Opinion", "Report")
_DECISIONS = {"approve": "同意", "return": "退回修改", "reject": "不同意", "pass": "通过",
              True: "通过", False: "未通过"}
_CONSEQUENCES = {
    "excellent": "中心进入下一个评估周期，请继续按建设方案推进各项任务。",
    "good": "中心进入下一个评估周期，请继续按建设方案推进各项任务。",
    "poor": "请中心自收到本通知之日起一年内完成整改并提交整改报告，整改期间暂停经费支持。",
}


@dataclass(frozen=True)
class CompletingStep:
    """The user task whose completion issues the document, not yet in the history."""

    task_id: str
    actor_id: str
    values: dict


@dataclass(frozen=True)
class Source:
    """Where a document is issued: the case, its variables, the moment, and the step being
    completed when a person's decision issues it."""

    session: Session
    instance_id: str
    business_key: str | None
    variables: dict
    now: datetime
    step: CompletingStep | None = None


def day(moment: datetime) -> str:
    return chinese_day(to_shanghai(moment).date())


def moment(value: datetime) -> str:
    return f"{day(value)} {to_shanghai(value):%H:%M}"


def approval_reply(source: Source) -> dict:
    """批复: the registered center, addressed to its recommending unit."""
    center = source.session.scalar(select(Center).where(Center.application_instance_id == source.instance_id))
    lead = json.loads(center.lead_unit_json)
    return {
        "title": f"关于同意组建{center.name}的批复",
        "recipient": _organization(source.session, center.supervising_org_id),
        "copies": [lead.get("name") or center.lead_org_id],
        "decision": f"同意组建“{center.name}”",
        "center_name": center.name, "center_code": center.code,
        "lead_unit": lead.get("name") or center.lead_org_id,
        "co_builders": [c["name"] for c in json.loads(center.co_builders_json) if c.get("core")],
        "category": CATEGORY_NAMES[center.category],
        "field": FIELD_NAMES.get(center.field) or REGION_NAMES.get(center.region) or "",
        "cycle_years": source.variables.get("evaluationCycleYears", 3),
        "opinion": source.variables.get("approvalOpinion") or "同意",
        "signers": _signers(source, ("approval_decision",), "签发"),
    }


def approval_sheet(source: Source) -> dict:
    """审批单: every decision of the application, who took it, their opinion and when."""
    values = {**source.variables, **(source.step.values if source.step else {})}
    steps = _decision_steps(source)
    decision = "同意组建" if values.get("approvalDecision") == "approve" else "不予批准"
    return {
        "title": f"{values.get('centerName', '')}组建审批单",
        "recipient": "", "copies": [],
        "decision": decision, "business_key": source.business_key or "",
        "center_name": values.get("centerName", ""),
        "lead_unit": (values.get("leadUnit") or {}).get("name", ""),
        "average_score": values.get("averageScore"),
        "steps": steps,
        "signers": [{"role": s["name"], "name": s["actor"], "time": s["time"]} for s in steps],
    }


def evaluation_notice(source: Source) -> dict:
    """绩效评估结果通知: the grade and the funding, without the experts' scores."""
    evaluation, detail = source.session.execute(
        select(CenterEvaluation, EvaluationDetail)
        .join(EvaluationDetail, EvaluationDetail.evaluation_id == CenterEvaluation.id)
        .where(CenterEvaluation.process_instance_id == source.instance_id)
    ).one()
    center = lifecycle.center(source.session, evaluation.center_code)
    grade = source.variables["grade"]
    funding = int(source.variables["fundingWan"])
    return {
        "title": f"关于{center.name}第{evaluation.cycle}个评估周期绩效评估结果的通知",
        "recipient": _lead_unit(center), "copies": [_organization(source.session, center.supervising_org_id)],
        "decision": f"{center.name}绩效评估结果为“{GRADE_NAMES[grade]}”",
        "center_name": center.name, "center_code": center.code, "cycle": evaluation.cycle,
        "period": f"{chinese_day(detail.cycle_start)}至{chinese_day(detail.cycle_end)}",
        "funding": f"{funding}万元" if funding else "不予经费支持",
        "consequence": _CONSEQUENCES[grade],
        "signers": _signers(source, ("determine_grade",), "评定"),
    }


def delisting_notice(source: Source) -> dict:
    """撤销通知: the center no longer in the sequence, and why."""
    center = lifecycle.center(source.session, source.variables["centerCode"])
    return {
        "title": f"关于{center.name}不再列入自治区技术创新中心序列的通知",
        "recipient": _lead_unit(center), "copies": [_organization(source.session, center.supervising_org_id)],
        "decision": f"{center.name}（中心编号{center.code}）不再列入自治区技术创新中心序列",
        "center_name": center.name, "center_code": center.code,
        "reason": REASONS.get(center.delist_reason, center.delist_reason),
        "note": _delisting_note(source.session, center.code),
        "lead_unit": _lead_unit(center),
        "signers": _signers(source, ("rectification_review", "determine_grade"), "认定")
        or [{"role": "认定", "name": "到期自动认定", "time": moment(source.now)}],
    }


def publicity_notice(source: Source) -> dict:
    """公示通知: the application approved in principle (拟批准), its 公示 period and how to object;
    no scores, panel or ranking (the public reads it)."""
    row = source.session.scalar(select(Publicity).where(Publicity.instance_id == source.instance_id)
                                .order_by(Publicity.id.desc()).limit(1))
    return {
        "title": f"关于{row.center_name}拟批准组建的公示",
        "recipient": "", "copies": [],
        "decision": f"{row.center_name}拟批准组建",
        "center_name": row.center_name, "lead_unit": row.lead_unit,
        "category": CATEGORY_NAMES[row.category],
        "field": FIELD_NAMES.get(row.field) or REGION_NAMES.get(row.region) or "",
        "period": publicity.period(row.starts_at, row.days).text, "days": row.days,
        "objection_path": f"/publicity/{row.id}",
        "signers": _signers(source, ("approval_decision",), "签发"),
    }


def _delisting_note(session: Session, code: str) -> str:
    """The words kept with the removal (the center's own reason, the finding, the opinion)."""
    return session.scalar(
        select(CenterStatusChange.note).where(CenterStatusChange.center_code == code,
                                              CenterStatusChange.to_status == "delisted")
        .order_by(CenterStatusChange.id.desc()).limit(1)
    ) or ""


def _lead_unit(center: Center) -> str:
    return json.loads(center.lead_unit_json).get("name") or center.lead_org_id


def _organization(session: Session, org_id: str) -> str:
    """An organization's name; the value itself when it is a name already (recommenderOrg)."""
    return session.scalar(select(Organization.name).where(Organization.id == org_id)) or org_id


def _person(session: Session, user_id: str) -> str:
    return session.scalar(select(User.display_name).where(User.id == user_id)) or user_id


def _signers(source: Source, task_keys: tuple[str, ...], role: str) -> list[dict]:
    """Who took the decision the document states, and when: the latest of those steps."""
    step = source.session.scalar(
        select(HistoricTask).where(HistoricTask.instance_id == source.instance_id,
                                   HistoricTask.task_key.in_(task_keys),
                                   HistoricTask.completed_by.is_not(None))
        .order_by(HistoricTask.end_time.desc()).limit(1)
    )
    if step is None:
        return []
    return [{"role": role, "name": _person(source.session, step.completed_by), "time": moment(step.end_time)}]


def _decision_steps(source: Source) -> list[dict]:
    rows = source.session.scalars(
        select(HistoricTask).where(HistoricTask.instance_id == source.instance_id)
        .order_by(HistoricTask.start_time, HistoricTask.id)
    )
    steps = []
    for row in rows:
        if source.step and row.id == source.step.task_id:
            actor, at, values = source.step.actor_id, source.now, source.step.values
        elif row.completed_by is not None:
            actor, at, values = row.completed_by, row.end_time, json.loads(row.variables_json or "{}")
        else:
            continue
        decision = _ending(values, _DECISION_ENDS)
        if decision is not None:
            steps.append(((at, row.start_time), {
                "name": row.name or row.task_key, "actor": _person(source.session, actor),
                "decision": _DECISIONS.get(decision, str(decision)),
                "opinion": _ending(values, _OPINION_ENDS) or "", "time": moment(at)}))
    return [step for _, step in sorted(steps, key=lambda pair: pair[0])]


def _ending(values: dict, ends: tuple[str, ...]):
    """The first submitted value whose name ends in one of `ends`."""
    return next((value for name, value in values.items() if name.endswith(ends)), None)
