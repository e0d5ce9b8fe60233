"""One timeline per center across all its processes: the application and its approval, the
annual reports, major changes, evaluations, rectification and removal.

People's steps come from the history of the center's process instances (who completed
which task, and what they decided); what the steps produced comes from the registry
(registration, results, status changes, approved changes, governance). Times are shown in
Asia/Shanghai.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import (
    CenterChange, CenterEvaluation, CenterStatusChange, EvaluationDetail, GovernanceRecord,
    HistoricTask, HistoryEvent, InstanceState, ProcessDefinition, ProcessInstance,
)

from app.core import confidential
from app.core.identity import Actor
from app.tic import lifecycle
from app.tic.registry import get_center

# The submitted fields that say what a step decided.
_DECISION_SUFFIXES = ("Decision", "Passed", "Ack")
_DECISION_FIELDS = frozenset({"grade", "integrityViolation", "changeType", "reportYear"})
_GRADES = {"excellent": "优秀", "good": "良好", "poor": "较差"}
_STATUSES = {"operating": "运行", "rectifying": "整改", "delisted": "不再列入技术创新中心序列"}
REASONS = {
    "poor_grade": "绩效评估结果较差，限期一年整改",
    "rectification_passed": "整改达标",
    "poor_after_rectification": "整改后仍未达标",
    "rectification_overdue": "逾期未提交整改报告",
    "did_not_participate": "未按期提交评估材料，视为不参加评估",
    "withdrew": "中途退出评估",
    "integrity_violation": "评估中存在弄虚作假或违反科研诚信行为",
}
_CHANGE_TYPES = {"name": "名称", "core_co_builders": "核心建设单位", "other": "其他重大事项"}


def timeline(session: Session, actor: Actor, code: str) -> list[dict]:
    """Everything that happened to the center, oldest first."""
    get_center(session, actor, code)
    center = lifecycle.center(session, code)
    instances = {i.id: i for i in session.scalars(select(ProcessInstance).where(lifecycle.instances_of(center)))}
    entries = _process_entries(session, actor, instances) + _registry_entries(session, center)
    entries.sort(key=lambda entry: (entry["_at"], _CAUSAL_ORDER[entry["kind"]]))
    for entry in entries:
        del entry["_at"]
    return entries


# Within one command (one instant) causes come before their effects: a timer opens an
# evaluation before its first step, a step before the record it produced, a removal
# before the processes it ends.
_CAUSAL_ORDER = {
    "process_started": 0, "evaluation_opened": 1, "step": 2, "registered": 3, "evaluation_result": 3,
    "change_approved": 3, "governance_recorded": 3, "status_changed": 4, "process_ended": 5,
}


def _entry(at: datetime, kind: str, title: str, instance: ProcessInstance | None = None,
           by: str | None = None, details: dict | None = None) -> dict:
    return {
        "_at": at, "at": format_camunda(at), "kind": kind, "title": title,
        "processKey": instance.process_key if instance else None,
        "processInstanceId": instance.id if instance else None,
        "businessKey": instance.business_key if instance else None,
        "by": by, "details": details or {},
    }


def _process_entries(session: Session, actor: Actor, instances: dict) -> list[dict]:
    names = dict(session.execute(select(ProcessDefinition.id, ProcessDefinition.name).where(
        ProcessDefinition.id.in_({i.definition_id for i in instances.values()}))).all())
    entries = []
    for instance in instances.values():
        name = names.get(instance.definition_id) or instance.process_key
        if instance.started_by:
            entries.append(_entry(instance.start_time, "process_started", f"发起“{name}”", instance,
                                  instance.started_by))
        if instance.state in (InstanceState.EXTERNALLY_TERMINATED, InstanceState.INTERNALLY_TERMINATED):
            entries.append(_entry(instance.end_time, "process_ended", f"“{name}”流程终止", instance,
                                  details={"reason": instance.end_reason}))
    # Steps completed in the same instant (a batch, a frozen test clock) keep the order they
    # were completed in: their completion events' sequence.
    completion = select(HistoryEvent.task_id, func.min(HistoryEvent.id).label("sequence")).where(
        HistoryEvent.instance_id.in_(list(instances)), HistoryEvent.event_type == "task_completed",
    ).group_by(HistoryEvent.task_id).subquery()
    steps = session.scalars(select(HistoricTask).outerjoin(completion, completion.c.task_id == HistoricTask.id).where(
        HistoricTask.instance_id.in_(list(instances)), HistoricTask.completed_by.is_not(None),
    ).order_by(HistoricTask.end_time, completion.c.sequence, HistoricTask.start_time))
    for step in steps:
        if confidential.sees_step(actor, step.task_key, step.assignee):
            entries.append(_step_entry(actor, step, instances[step.instance_id]))
    return entries


def _step_entry(actor: Actor, step: HistoricTask, instance: ProcessInstance) -> dict:
    returned = step.delete_reason == "returned"
    title = (step.name or step.task_key) + ("（退回）" if returned else "")
    submitted = confidential.step_values(actor, step.assignee, json.loads(step.variables_json or "{}"))
    decided = {name: value for name, value in submitted.items()
               if name in _DECISION_FIELDS or name.endswith(_DECISION_SUFFIXES)}
    return _entry(step.end_time, "step", title, instance, step.completed_by, decided)


def _registry_entries(session: Session, center) -> list[dict]:
    entries = [_entry(center.registered_at, "registered", f"批准组建，登记为“{center.name}”（{center.code}）")]
    entries += _evaluation_entries(session, center.code)
    for change in session.scalars(select(CenterStatusChange).where(CenterStatusChange.center_code == center.code)):
        title = f"状态变更：{_STATUSES[change.from_status]} → {_STATUSES[change.to_status]}"
        entries.append(_entry(change.changed_at, "status_changed", title, details={
            "from": change.from_status, "to": change.to_status, "reason": change.reason,
            "reasonText": REASONS.get(change.reason or ""), "note": change.note,
        }))
    for change in session.scalars(select(CenterChange).where(CenterChange.center_code == center.code)):
        entries.append(_entry(change.approved_at, "change_approved",
                              f"重大变更批复同意，变更登记：{_CHANGE_TYPES.get(change.change_type, change.change_type)}",
                              by=change.approved_by, details={
                                  "before": json.loads(change.before_json) if change.before_json else None,
                                  "after": json.loads(change.after_json) if change.after_json else None,
                                  "description": change.description}))
    for record in session.scalars(select(GovernanceRecord).where(GovernanceRecord.center_code == center.code)):
        entries.append(_entry(record.recorded_at, "governance_recorded", "登记运行体系（理事会、主任、专家委员会）",
                              by=record.recorded_by))
    return entries


def _evaluation_entries(session: Session, code: str) -> list[dict]:
    entries = []
    rows = session.execute(
        select(CenterEvaluation, EvaluationDetail)
        .join(EvaluationDetail, EvaluationDetail.evaluation_id == CenterEvaluation.id)
        .where(CenterEvaluation.center_code == code)
    ).all()
    for evaluation, detail in rows:
        period = f"{detail.cycle_start.isoformat()} 至 {detail.cycle_end.isoformat()}"
        entries.append(_entry(detail.opened_at, "evaluation_opened",
                              f"第 {evaluation.cycle} 个评估周期（{period}）届满，启动绩效评估",
                              details={"cycle": evaluation.cycle}))
        if evaluation.decided_at is not None:
            entries.append(_entry(evaluation.decided_at, "evaluation_result", _result_title(evaluation, detail),
                                  by=detail.graded_by, details={
                                      "cycle": evaluation.cycle, "grade": evaluation.grade,
                                      "fundingWan": evaluation.funding_wan,
                                      "integrityViolation": detail.integrity_violation,
                                      "integrityFinding": detail.integrity_finding}))
    return entries


def _result_title(evaluation: CenterEvaluation, detail: EvaluationDetail) -> str:
    title = (f"第 {evaluation.cycle} 个评估周期结果：{_GRADES.get(evaluation.grade, evaluation.grade)}，"
             f"研发经费 {evaluation.funding_wan} 万元")
    return title + ("；认定存在弄虚作假或违反科研诚信行为" if detail.integrity_violation else "")
