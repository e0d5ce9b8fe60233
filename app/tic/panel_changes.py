"""加签/减签 on a running expert review (专家论证): the department adds an expert to the panel
or takes out one who has not scored yet, with a reason. The same 回避 rule as when the panel
was chosen (R15) and the panel's minimum size hold; the platform changes the running
countersignature; the panel record follows, so the aggregate expects the right reviews."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ProcessInstance

from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.platform import participants, process_instances
from app.tic import expert_reviews

REVIEW_ACTIVITY = "expert_review"


@dataclass(frozen=True)
class PanelMember:
    expert: str
    scored: bool
    removable: bool


def panel_of(ctx: AppContext, session: Session, actor: Actor, instance: ProcessInstance) -> list[PanelMember] | None:
    """The running panel as the department may change it; None when there is none to change
    (no review running, or an actor who may not change it). A member may be removed (减签)
    while they have not scored and the panel stays at its minimum without them."""
    if not participants.may_change(actor):
        return None
    waiting = set(participants.open_participants(session, instance.id, REVIEW_ACTIVITY))
    panel = expert_reviews.latest_panel(session, instance.id)
    if not waiting or panel is None:
        return None
    experts = json.loads(panel.experts_json)
    room = len(experts) > ctx.settings.min_expert_panel
    return [PanelMember(e, e not in waiting, room and e in waiting) for e in experts]


def add_reviewer(ctx: AppContext, session: Session, actor: Actor, instance_id: str, expert, reason) -> None:
    participants.require_changer(ctx, session, actor, instance_id, REVIEW_ACTIVITY, expert, reason, adding=True)
    values, _types = process_instances.variables_of(session, actor, instance_id)
    if isinstance(expert, str):
        problems = expert_reviews.panel_problems(session, [expert], values, minimum=0)
        if problems:
            raise BadRequest(problems[0]["message"], [{"field": "userId", "message": problems[0]["message"]}])
    # The panel first: the change may complete the review, and the aggregate reads the panel.
    # A refusal below rolls both back.
    _panel(session, instance_id).experts_json = json.dumps(_experts(session, instance_id) + [expert])
    participants.add(ctx, session, actor, instance_id, REVIEW_ACTIVITY, expert, reason)


def remove_reviewer(ctx: AppContext, session: Session, actor: Actor, instance_id: str, expert, reason) -> None:
    participants.require_changer(ctx, session, actor, instance_id, REVIEW_ACTIVITY, expert, reason, adding=False)
    remaining = [e for e in _experts(session, instance_id) if e != expert]
    _keep(ctx, session, instance_id, remaining, "userId", "论证专家不少于 {minimum} 人：请先加签替补专家，再减签")
    participants.remove(ctx, session, actor, instance_id, REVIEW_ACTIVITY, expert, reason)


def replace_decliner(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                     replacement: str | None, reason: str) -> None:
    """The declining expert (`actor`) leaves the panel, `replacement` joins it (加签/减签 in one
    step); with nobody to draw, only while the panel keeps its minimum."""
    remaining = [e for e in _experts(session, instance_id) if e != actor.id]
    remaining += [replacement] if replacement is not None else []
    _keep(ctx, session, instance_id, remaining, "reason", "暂无可替补的专家，专家组将少于 {minimum} 人：请联系科技厅经办人员")
    participants.step_aside(ctx, session, actor, instance_id, REVIEW_ACTIVITY, replacement, reason)


def _keep(ctx: AppContext, session: Session, instance_id: str, remaining: list[str], field: str,
          refusal: str) -> None:
    """The panel becomes `remaining`, refused (`refusal`) below the panel's minimum."""
    minimum = ctx.settings.min_expert_panel
    if len(remaining) < minimum:
        message = refusal.format(minimum=minimum)
        raise BadRequest(message, [{"field": field, "message": message}])
    _panel(session, instance_id).experts_json = json.dumps(remaining)


def _panel(session: Session, instance_id: str):
    panel = expert_reviews.latest_panel(session, instance_id)
    if panel is None:
        raise NotFound("本案件没有论证专家组 / no expert panel in this case")
    return panel


def _experts(session: Session, instance_id: str) -> list[str]:
    return json.loads(_panel(session, instance_id).experts_json)
