"""What became of a TIC case, in words, and why: 批准组建 / 不予批准 / 已撤回 / 不再列入序列
with its reason. The words are the name of the end event the case reached (the analysts
name them in bpmn/); the reason is the opinion or the recorded reason of that ending."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.core.identity import Actor
from app.platform.instance_detail import InstanceDetail, instance_detail
from app.tic.timeline import REASONS

# The variable that says why a case ended where it did, by process and end event.
REASON_VARIABLES = {
    ("tic_establishment", "end_not_recommended"): "recommenderOpinion",
    ("tic_establishment", "end_formal_rejected"): "formalReviewOpinion",
    ("tic_establishment", "end_not_approved"): "approvalOpinion",
    ("tic_establishment", "end_approved"): "approvalOpinion",
    ("tic_establishment", "end_withdrawn"): "withdrawReason",
    ("tic_major_change", "end_authority_rejected"): "authorityOpinion",
    ("tic_major_change", "end_not_approved"): "departmentOpinion",
    ("tic_major_change", "end_changed"): "departmentOpinion",
}


@dataclass(frozen=True)
class Outcome:
    text: str
    reason: str | None


@dataclass(frozen=True)
class CaseFile:
    """The cockpit's instance page: the instance and what became of it (None: still running)."""

    detail: InstanceDetail
    outcome: Outcome | None


def case_file(ctx: AppContext, session: Session, actor: Actor, instance_id: str) -> CaseFile:
    detail = instance_detail(ctx, session, actor, instance_id)
    return CaseFile(detail, outcome(detail))


def outcome(detail: InstanceDetail) -> Outcome | None:
    if detail.state == "running":
        return None
    if detail.state == "withdrawn":
        return Outcome("已撤回", _text(detail.value("withdrawReason")) or _withdrawal_reason(detail))
    if detail.state == "terminated":
        return Outcome("已终止", detail.instance.end_reason)
    end = detail.end_event
    if end is None:
        return Outcome("已办结", None)
    return Outcome(end.activity_name or end.activity_id, _reason(detail, end.activity_id))


def _reason(detail: InstanceDetail, end_id: str) -> str | None:
    delisted = _text(detail.value("delistReason"))
    if delisted and detail.instance.process_key == "tic_evaluation":
        return REASONS.get(delisted, delisted)
    name = REASON_VARIABLES.get((detail.instance.process_key, end_id))
    return _text(detail.value(name)) if name else None


def _withdrawal_reason(detail: InstanceDetail) -> str | None:
    for event in reversed(detail.events):
        if event.kind == "instance_withdrawn":
            return _text(event.details.get("reason"))
    return None


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
