"""An expert declines a review (回避声明, or unavailable) from their task, with a reason: a
replacement is drawn at once, within the review's deadline, from the same side of the region
and the same field, and takes the decliner's place through the service that adds and removes
reviewers (加签/减签). The decliner is not drawn again for this applicant in this round."""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from app.models import ExpertDecline, ProcessInstance, Task

from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.identity import Actor
from app.tic import expert_reviews, panel_changes, panel_draws

KINDS = {"avoidance": "回避声明", "unavailable": "不能参加"}


def decline(ctx: AppContext, session: Session, actor: Actor, task_id: str, kind, reason) -> ExpertDecline:
    task = session.get(Task, task_id) if isinstance(task_id, str) else None
    if task is None or task.task_key != expert_reviews.REVIEW_STEP:
        raise NotFound(f"没有待办的专家论证评分任务 {task_id} / no open review task")
    if task.assignee != actor.id:
        raise Forbidden("只有受邀专家本人可以声明回避或不能参加 / only the invited expert may decline")
    if kind not in KINDS:
        raise BadRequest("请选择回避声明或不能参加 / kind must be avoidance or unavailable",
                         [{"field": "kind", "message": "请选择回避声明或不能参加"}])
    reason = panel_draws.checked_reason(reason)
    instance = session.get(ProcessInstance, task.instance_id)
    variables = json.loads(instance.variables_json).get("values", {})
    applicant, round_key = panel_draws.case_keys(session, instance.id, variables)
    earlier = panel_draws.earlier_experts(session, applicant, round_key)
    panel = expert_reviews.latest_panel(session, instance.id)
    earlier.update({e: "已在本专家组" for e in json.loads(panel.experts_json)})
    earlier[actor.id] = f"{KINDS[kind]}：{reason}"
    replacement = panel_draws.draw_replacement(ctx, session, actor, task_id, instance, variables, earlier)
    row = ExpertDecline(instance_id=instance.id, task_id=task_id, expert=actor.id, kind=kind, reason=reason,
                        applicant_key=applicant, round_key=round_key, replacement=replacement,
                        declined_at=ctx.now())
    session.add(row)
    session.flush()
    panel_changes.replace_decliner(ctx, session, actor, instance.id, replacement, f"{KINDS[kind]}：{reason}")
    return row
