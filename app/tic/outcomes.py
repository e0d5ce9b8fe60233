"""What became of a TIC case, in words, and why: 批准组建 / 不予批准 / 已撤回 / 不再列入序列
with its reason. The words are the name of the end event the case reached (the analysts
name them in bpmn/); the reason is the opinion or the recorded reason of that ending."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import InstanceState

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
    text_en: str  # the ending in English (the reason is the officers' own words)


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
        return Outcome("已撤回", _text(detail.value("withdrawReason")) or _withdrawal_reason(detail), "Withdrawn")
    if detail.state == "terminated":
        return Outcome("已终止", detail.instance.end_reason, "Terminated")
    end = detail.end_event
    return ending(detail.instance.process_key, end.activity_id if end else None,
                  (end.activity_name, None) if end else (None, None), detail.values)


def of_case(instance, end, values: dict, end_name_en: str | None = None) -> Outcome | None:
    """What became of a case as its own page says it: None while it runs; `end` is the end
    event it reached (a historic activity), `end_name_en` its English name, `values` the
    variables its reader may see."""
    if instance.state == InstanceState.ACTIVE:
        return None
    if instance.state != InstanceState.COMPLETED:
        return Outcome("已终止", instance.end_reason, "Terminated")
    return ending(instance.process_key, end.activity_id if end else None,
                  (end.activity_name, end_name_en) if end else (None, None), values)


def ending(process_key: str, end_id: str | None, names: tuple[str | None, str | None],
           values: dict) -> Outcome:
    """What a case that reached the end event `end_id` came to: the end event's name
    (`names`: Chinese, English), with the registered center's code for an approval, and the
    reason recorded for that ending."""
    if end_id is None:
        return Outcome("已办结", None, "Closed")
    text = names[0] or end_id
    text_en = names[1] or text
    code = _text(values.get("centerCode"))
    if (process_key, end_id) == ("tic_establishment", "end_approved") and code:
        text, text_en = f"{text}（中心编号 {code}）", f"{text_en} (center code {code})"
    return Outcome(text, _reason(process_key, end_id, values), text_en)


def in_words(process_key: str, end_id: str | None, names: tuple[str | None, str | None],
             values: dict) -> tuple[str, str]:
    """The ending in one sentence, Chinese and English, for the starter's completion
    notification."""
    found = ending(process_key, end_id, names, values)
    if not found.reason:
        return found.text, found.text_en
    return f"{found.text}；理由：{found.reason}", f"{found.text_en}; reason: {found.reason}"


def _reason(process_key: str, end_id: str, values: dict) -> str | None:
    delisted = _text(values.get("delistReason"))
    if delisted and process_key == "tic_evaluation":
        return REASONS.get(delisted, delisted)
    name = REASON_VARIABLES.get((process_key, end_id))
    return _text(values.get(name)) if name else None


def _withdrawal_reason(detail: InstanceDetail) -> str | None:
    for event in reversed(detail.events):
        if event.kind == "instance_withdrawn":
            return _text(event.details.get("reason"))
    return None


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
