"""The random draw of a review panel on `assign_experts` (随机抽取), its redraw or the
replacement of one drawn expert on a department leader's approval, and the panel's
confirmation.

How many experts and how many from outside the region come from the decision table
`tic_expert_panel` (per review kind and category); who may be drawn is `expert_draw`'s rule
(R15, field, pool, availability, workload) over the pool, less everyone who declined or
reviewed for this applicant in this round. The seed is made here, shown with the result and
kept with the candidates, so `expert_draw.choose` re-checks the draw. The first draw of a
task is the officer's; any further draw needs a request with a reason that a leader
approved, and is used once. Every draw, request and decision goes into the case's history
on the `assign_experts` step, which only department staff see (confidential)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ExpertDecline, ExpertDraw, ExpertDrawRequest, ExpertPanel, ExpertProfile, ExpertReview, ProcessInstance, Task,
)

from app.core import audit, directory
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, Forbidden, NotFound
from app.core.identity import Actor
from app.platform import history, notifications, permissions
from app.platform.decision_tables import decide
from app.tic import expert_draw, expert_pool
from app.tic.registry import FIELD_NAMES

ASSIGN_STEP = expert_pool.ASSIGN_STEP
# A decliner's replacement is drawn from their review task.
DECLINE_STEP = "expert_review"
PANEL_TABLE = "tic_expert_panel"
CRITERIA_TABLE = "tic_review_criteria"
LEADERS = "department_leader"
REASON_LIMIT = 500
REVIEW_KINDS = {"tic_establishment": "establishment", "tic_evaluation": "evaluation"}
REQUEST_KINDS = {"redraw": "重新抽取", "replace": "替换一名专家"}


@dataclass(frozen=True)
class DrawRules:
    """What the decision table asks of a draw for a case."""

    review_kind: str
    size: int
    outside: int
    field: str | None


def rules_for(ctx: AppContext, session: Session, instance: ProcessInstance, variables: dict) -> DrawRules:
    kind = review_kind(instance.process_key)
    outcome = decide(ctx, session, PANEL_TABLE, {"reviewKind": kind, "category": variables.get("category")})
    return DrawRules(kind, int(outcome["panelSize"]), int(outcome["outsideExperts"]), variables.get("field"))


def review_kind(process_key: str) -> str:
    return REVIEW_KINDS.get(process_key, process_key)


def criteria(ctx: AppContext, session: Session, process_key: str) -> list[dict]:
    """The scoring sheet of the review kind: [{code, label, weight}] in the table's order."""
    outcome = decide(ctx, session, CRITERIA_TABLE, {"reviewKind": review_kind(process_key)})
    return [{"code": code, "label": label, "weight": int(weight)} for code, label, weight in zip(
        outcome.get("criterionCodes") or [], outcome.get("criterionLabels") or [], outcome.get("criterionWeights") or [])]


def case_keys(session: Session, instance_id: str, variables: dict) -> tuple[str | None, str]:
    """Whom the case reviews for and in which round: the applying unit, and the round
    (`roundId`) or, with no round, the case itself."""
    instance = session.get(ProcessInstance, instance_id)
    applicant = instance.applicant_org or variables.get("applicantOrg") or (variables.get("leadUnit") or {}).get("name")
    return applicant, str(variables.get("roundId") or instance.id)


def earlier_experts(session: Session, applicant: str | None, round_key: str) -> dict[str, str]:
    """Who declined or reviewed for `applicant` in this round, with why they step aside."""
    if applicant is None:
        return {}
    found = {expert: "本轮已为该申报单位评审" for expert in session.scalars(
        select(ExpertReview.expert).join(ExpertPanel, ExpertPanel.id == ExpertReview.panel_id)
        .where(ExpertPanel.applicant_key == applicant, ExpertPanel.round_key == round_key))}
    found.update({expert: "本轮已就该申报声明回避或不能参加" for expert in session.scalars(
        select(ExpertDecline.expert).where(ExpertDecline.applicant_key == applicant,
                                           ExpertDecline.round_key == round_key))})
    return found


def latest_draw(session: Session, task_id: str) -> ExpertDraw | None:
    return session.scalar(select(ExpertDraw).where(ExpertDraw.task_id == task_id)
                          .order_by(ExpertDraw.id.desc()).limit(1))


def shown_draw(session: Session, actor: Actor, task_id: str) -> ExpertDraw | None:
    """The task's latest draw, for department staff only (the draw is confidential)."""
    if not permissions.sees_confidential(actor):
        raise Forbidden("抽取结果仅科技厅可见 / the draw is the department's")
    return latest_draw(session, task_id)


def panel_of(draw: ExpertDraw) -> list[str]:
    return json.loads(draw.panel_json or draw.chosen_json)


def draw_for_task(ctx: AppContext, session: Session, actor: Actor, task_id: str, field=None) -> ExpertDraw:
    """Draw the panel of an open `assign_experts` task; a further draw of the same task uses
    the leader's approved request (a redraw, or the replacement of one expert)."""
    _task, instance, variables = _drawing(ctx, session, actor, task_id, "expert.draw")
    previous = latest_draw(session, task_id)
    request = _approved_request(session, task_id) if previous is not None else None
    if previous is not None and request is None:
        raise Conflict("本任务已抽取过专家：重新抽取或替换专家须说明理由并经厅领导批准 / "
                       "a further draw needs a leader's approval")
    rules = rules_for(ctx, session, instance, variables)
    if rules.size < ctx.settings.min_expert_panel:
        raise BadRequest(f"决策表 {PANEL_TABLE} 给出的抽取人数 {rules.size} 少于专家组最少人数 "
                         f"{ctx.settings.min_expert_panel} / the panel table asks too few experts")
    field = _field(field if field is not None else rules.field)
    applicant, round_key = case_keys(session, instance.id, variables)
    earlier = earlier_experts(session, applicant, round_key)
    size, outside, replaced, kept = rules.size, rules.outside, None, []
    if request is not None and request.kind == "replace":
        replaced, kept = request.expert, [e for e in panel_of(previous) if e != request.expert]
        earlier.update({e: "已在本专家组" for e in kept})
        earlier[replaced] = f"经批准替换：{request.reason}"
        size, outside, field = 1, int(_outside(session, replaced)), previous.field
    result = _draw(ctx, session, task_id, variables, earlier, field, size, outside)
    row = record_draw(ctx, session, actor, instance, task_id, result, field, size, outside,
                      purpose=request.kind if request is not None else "draw", replaced=replaced,
                      request_id=request.id if request is not None else None, kept=kept)
    if request is not None:
        request.used_by_draw = row.id
    return row


def record_draw(ctx: AppContext, session: Session, actor: Actor, instance: ProcessInstance, task_id: str,
                result: expert_draw.Draw, field: str, size: int, outside: int, *, purpose: str,
                replaced: str | None = None, request_id: int | None = None, kept: list[str] = ()) -> ExpertDraw:
    """Keep a draw with its seed and candidates (so it re-checks), in the case's history."""
    row = ExpertDraw(
        instance_id=instance.id, task_id=task_id, field=field, size=size, outside=outside, seed=result.seed,
        candidates_json=json.dumps(list(result.candidates), ensure_ascii=False),
        excluded_json=json.dumps(result.excluded, ensure_ascii=False), chosen_json=json.dumps(list(result.chosen)),
        panel_json=json.dumps(list(kept) + list(result.chosen)), drawn_by=actor.id, drawn_at=ctx.now(),
        purpose=purpose, replaced=replaced, request_id=request_id)
    session.add(row)
    session.flush()
    step = ASSIGN_STEP if purpose != "decline" else DECLINE_STEP
    _history(ctx, session, instance, actor, task_id, "expert_drawn", step, drawId=row.id, seed=row.seed,
             purpose=purpose, panel=panel_of(row), replaced=replaced)
    audit.record(ctx, session, "expert.draw", user_id=actor.id, target=instance.id, source=actor.source,
                 details={"seed": row.seed, "chosen": list(result.chosen), "field": field, "purpose": purpose})
    return row


def request_change(ctx: AppContext, session: Session, actor: Actor, task_id: str, kind, reason,
                   expert=None) -> ExpertDrawRequest:
    """Ask a department leader to allow a redraw, or the replacement of one drawn expert."""
    _task, instance, _variables = _drawing(ctx, session, actor, task_id, "expert.draw_request")
    previous = latest_draw(session, task_id)
    if previous is None:
        raise BadRequest("尚未抽取专家，无需申请重新抽取 / nothing drawn yet",
                         [{"field": "kind", "message": "尚未抽取专家"}])
    if kind not in REQUEST_KINDS:
        raise BadRequest("请选择重新抽取或替换一名专家 / kind must be redraw or replace",
                         [{"field": "kind", "message": "请选择重新抽取或替换一名专家"}])
    if kind == "replace" and expert not in panel_of(previous):
        raise BadRequest("请选择本次抽取结果中要替换的专家 / choose a drawn expert to replace",
                         [{"field": "expert", "message": "请选择本次抽取结果中要替换的专家"}])
    if _open_request(session, task_id) is not None:
        raise Conflict("已有待批准或已批准未使用的申请 / a request is already pending")
    row = ExpertDrawRequest(instance_id=instance.id, task_id=task_id, kind=kind,
                            expert=expert if kind == "replace" else None, reason=checked_reason(reason),
                            requested_by=actor.id, requested_at=ctx.now())
    session.add(row)
    session.flush()
    _history(ctx, session, instance, actor, task_id, "expert_draw_requested", requestId=row.id, kind=kind,
             expert=row.expert, reason=row.reason)
    title = f"{REQUEST_KINDS[kind]}专家申请待批准：{notifications.case_name(instance.business_name, instance.business_key)}"
    for leader in directory.active_users(session, LEADERS):
        notifications.notify(session, leader.id, "approval", notifications.both(title, "A redraw awaits approval"),
                             row.reason, instance.id, now=ctx.now())
    return row


def may_decide(actor: Actor) -> bool:
    return actor.in_any({LEADERS})


def decide_request(ctx: AppContext, session: Session, actor: Actor, request_id, approve, opinion) -> ExpertDrawRequest:
    """A department leader approves or rejects a pending request, with an opinion."""
    if not may_decide(actor):
        audit.record_refusal(ctx, session, "expert.draw_decision", user_id=actor.id, target=str(request_id),
                             source=actor.source)
        raise Forbidden("重新抽取或替换专家须由厅领导批准 / only a department leader decides")
    row = session.get(ExpertDrawRequest, request_id) if isinstance(request_id, int) else None
    if row is None:
        raise NotFound("申请不存在 / no such request")
    if row.decision is not None:
        raise Conflict("该申请已处理 / the request was decided already")
    if not isinstance(approve, bool):
        raise BadRequest("请选择批准或不批准 / approve must be true or false",
                         [{"field": "approve", "message": "请选择批准或不批准"}])
    row.decision, row.opinion = ("approved" if approve else "rejected"), checked_reason(opinion, "opinion")
    row.decided_by, row.decided_at = actor.id, ctx.now()
    instance = session.get(ProcessInstance, row.instance_id)
    _history(ctx, session, instance, actor, row.task_id, "expert_draw_decided", requestId=row.id,
             decision=row.decision, opinion=row.opinion)
    verdict = "已批准" if approve else "未批准"
    notifications.notify(session, row.requested_by, "decided",
                         notifications.both(f"{REQUEST_KINDS[row.kind]}专家申请{verdict}", f"Redraw request {row.decision}"),
                         row.opinion, instance.id, row.task_id, now=ctx.now())
    return row


def requests_of(session: Session, actor: Actor, instance_id: str) -> list[ExpertDrawRequest]:
    """The case's requests, newest first, for department staff only (confidential)."""
    if not permissions.sees_confidential(actor):
        return []
    return list(session.scalars(select(ExpertDrawRequest).where(ExpertDrawRequest.instance_id == instance_id)
                                .order_by(ExpertDrawRequest.id.desc())))


def confirmation(session: Session, task_id: str, experts: list[str], reason) -> tuple[int | None, str | None, list[dict]]:
    """How a submitted panel was chosen: the task's latest draw it equals, or by hand (with
    its reason when given). Departing from a draw that was made needs a reason; a panel given
    without any draw keeps the `assign_experts` contract (`experts` alone) and is recorded as
    not drawn. Returns (draw id, reason, problems)."""
    drawn = latest_draw(session, task_id)
    if drawn is not None and sorted(panel_of(drawn)) == sorted(experts):
        return drawn.id, None, []
    if isinstance(reason, str) and reason.strip():
        return None, reason.strip()[:REASON_LIMIT], []
    if drawn is None:
        return None, None, []
    return None, None, [{"field": "panelReason", "message": "专家组与随机抽取结果不一致，须填写人工遴选理由"}]


def checked_reason(text, field: str = "reason") -> str:
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("请填写理由 / a reason is required", [{"field": field, "message": "请填写理由"}])
    if len(text.strip()) > REASON_LIMIT:
        raise BadRequest(f"理由不超过 {REASON_LIMIT} 字 / the reason is too long",
                         [{"field": field, "message": f"不超过 {REASON_LIMIT} 字"}])
    return text.strip()


def draw_replacement(ctx: AppContext, session: Session, actor: Actor, task_id: str, instance: ProcessInstance,
                     variables: dict, earlier: dict[str, str]) -> str | None:
    """One expert in place of `actor`, from the same side of the region and the field of the
    panel's draw (else the case's), kept as a draw; None when nobody can be drawn."""
    drawn = session.scalar(select(ExpertDraw).where(ExpertDraw.instance_id == instance.id)
                           .order_by(ExpertDraw.id.desc()).limit(1))
    field = drawn.field if drawn is not None else rules_for(ctx, session, instance, variables).field
    outside = int(_outside(session, actor.id))
    try:
        result = expert_draw.draw(expert_pool.drawable_pool(session), expert_draw.Applicant.of(variables, earlier),
                                  field or "", 1, outside, expert_draw.new_seed(), ctx.now().date())
    except expert_draw.DrawImpossible:
        return None
    record_draw(ctx, session, actor, instance, task_id, result, field or "", 1, outside, purpose="decline",
                replaced=actor.id)
    return result.chosen[0]


def _draw(ctx, session, task_id: str, variables: dict, earlier: dict[str, str], field: str, size: int,
          outside: int):
    try:
        return expert_draw.draw(expert_pool.drawable_pool(session, task_id), expert_draw.Applicant.of(variables, earlier),
                                field, size, outside, expert_draw.new_seed(), ctx.now().date())
    except expert_draw.DrawImpossible as error:
        raise BadRequest(str(error), [{"field": "experts", "message": str(error)}]) from error


def _drawing(ctx: AppContext, session: Session, actor: Actor, task_id: str, action: str):
    """The open assign_experts task `actor` works on, its instance and variables."""
    refusal = permissions.expert_pool_refusal(actor, keeping=True)
    task = session.get(Task, task_id) if isinstance(task_id, str) else None
    if refusal is None and task is not None:
        refusal = permissions.act_refusal(actor, task)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=task_id, source=actor.source)
        raise refusal
    if task is None or task.task_key != ASSIGN_STEP:
        raise NotFound(f"没有待办的遴选论证专家任务 {task_id} / no open assign_experts task")
    instance = session.get(ProcessInstance, task.instance_id)
    return task, instance, json.loads(instance.variables_json).get("values", {})


def _approved_request(session: Session, task_id: str) -> ExpertDrawRequest | None:
    return session.scalar(select(ExpertDrawRequest).where(
        ExpertDrawRequest.task_id == task_id, ExpertDrawRequest.decision == "approved",
        ExpertDrawRequest.used_by_draw.is_(None)).limit(1))


def _open_request(session: Session, task_id: str) -> ExpertDrawRequest | None:
    return session.scalar(select(ExpertDrawRequest).where(
        ExpertDrawRequest.task_id == task_id, ExpertDrawRequest.used_by_draw.is_(None),
        (ExpertDrawRequest.decision.is_(None)) | (ExpertDrawRequest.decision == "approved")).limit(1))


def _field(value) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequest("请选择抽取专家的领域 / choose the field to draw from",
                         [{"field": "field", "message": "请选择抽取专家的领域"}])
    if value not in FIELD_NAMES:
        raise BadRequest(f"领域 {value[:40]} 不在指引所列领域中 / unknown field",
                         [{"field": "field", "message": "领域不在指引所列领域中"}])
    return value


def _outside(session: Session, expert: str) -> bool:
    """Whether the expert is from outside the region: their replacement is too."""
    profile = session.get(ExpertProfile, expert)
    return profile is not None and not profile.in_region


def _history(ctx: AppContext, session: Session, instance: ProcessInstance, actor: Actor, task_id: str,
             event_type: str, step: str = ASSIGN_STEP, **details) -> None:
    """A confidential step's event: only department staff read it (`confidential.STEPS`)."""
    history.append(session, instance.id, instance.process_key,
                   [history.event(event_type, actor.id, step, task_id, **details)], ctx.now())
