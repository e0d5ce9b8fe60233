"""加签/减签: changing who takes part in a running parallel multi-instance activity (会签,
an expert panel), one platform service for every procedure that needs it — replacing an
expert who declines is an addition and a removal.

The caller's own rules (who may take part in this case at all) are checked by the caller
before; here: who may change the participants, the engine's change of the running
activity, the new or removed task in the inbox (by the instance's save), the case's
history and the audit log, all with the reason given."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.errors import EngineError
from app.models import Task

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, ValidationFailed
from app.core.identity import Actor, load_actor
from app.platform import instance_store, permissions
from app.platform.process_instances import advance

REASON_LIMIT = 500


def may_change(actor: Actor) -> bool:
    return permissions.participants_refusal(actor) is None


def add(ctx: AppContext, session: Session, actor: Actor, instance_id: str, activity_id: str,
        user_id, reason) -> None:
    _change(ctx, session, actor, instance_id, activity_id, user_id, reason, adding=True)


def remove(ctx: AppContext, session: Session, actor: Actor, instance_id: str, activity_id: str,
           user_id, reason) -> None:
    _change(ctx, session, actor, instance_id, activity_id, user_id, reason, adding=False)


def step_aside(ctx: AppContext, session: Session, actor: Actor, instance_id: str, activity_id: str,
               replacement: str | None, reason) -> None:
    """`actor` leaves their open part of the activity with a reason (回避, unavailable);
    `replacement`, whom the caller chose, takes a part of their own first."""
    if actor.id not in open_participants(session, instance_id, activity_id):
        audit.record_refusal(ctx, session, "participant.step_aside", user_id=actor.id, target=instance_id,
                             source=actor.source, details={"activityId": activity_id})
        raise Forbidden("您在本环节没有待办任务 / you have no open part in this step")
    reason = _reason(reason)
    loaded = instance_store.load(ctx, session, instance_id)
    try:
        if replacement is not None:
            loaded.execution.add_participant(activity_id, _participant(session, replacement))
        loaded.execution.remove_participant(activity_id, actor.id)
    except EngineError as error:
        raise BadRequest(str(error), [{"field": "userId", "message": str(error).split(" / ")[0]}]) from error
    if replacement is not None:
        loaded.record("participant_added", actor.id, activity_id=activity_id, participant=replacement, reason=reason)
    loaded.record("participant_removed", actor.id, activity_id=activity_id, participant=actor.id, reason=reason)
    advance(ctx, session, loaded, actor)
    audit.record(ctx, session, "participant.step_aside", user_id=actor.id, target=instance_id, source=actor.source,
                 details={"activityId": activity_id, "replacement": replacement, "reason": reason})


def open_participants(session: Session, instance_id: str, activity_id: str) -> list[str]:
    """Who still has an open instance of the activity (their task not yet done)."""
    return list(session.scalars(select(Task.assignee).where(
        Task.instance_id == instance_id, Task.task_key == activity_id, Task.assignee.is_not(None))))


def require_changer(ctx: AppContext, session: Session, actor: Actor, instance_id: str, activity_id: str,
                    user_id, reason, adding: bool) -> None:
    """Refuse (and audit) whoever may not change the participants, before anything is read."""
    refusal = permissions.participants_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, _action(adding), user_id=actor.id, target=instance_id,
                             source=actor.source, details={"activityId": activity_id, "userId": user_id,
                                                           "reason": reason})
        raise refusal


def _action(adding: bool) -> str:
    return "participant.add" if adding else "participant.remove"


def _change(ctx: AppContext, session: Session, actor: Actor, instance_id: str, activity_id: str,
            user_id, reason, adding: bool) -> None:
    require_changer(ctx, session, actor, instance_id, activity_id, user_id, reason, adding)
    participant, reason = _participant(session, user_id), _reason(reason)
    loaded = instance_store.load(ctx, session, instance_id)
    change = loaded.execution.add_participant if adding else loaded.execution.remove_participant
    try:
        change(activity_id, participant)
    except EngineError as error:
        raise BadRequest(str(error), [{"field": "userId", "message": str(error).split(" / ")[0]}]) from error
    loaded.record("participant_added" if adding else "participant_removed", actor.id,
                  activity_id=activity_id, participant=participant, reason=reason)
    advance(ctx, session, loaded, actor)
    audit.record(ctx, session, _action(adding), user_id=actor.id, target=instance_id, source=actor.source,
                 details={"activityId": activity_id, "userId": participant, "reason": reason})


def _participant(session: Session, user_id) -> str:
    if not isinstance(user_id, str) or not user_id.strip():
        raise ValidationFailed("请选择人员 / userId is required", [{"field": "userId", "message": "请选择人员"}])
    if load_actor(session, user_id.strip()) is None:
        raise BadRequest(f"用户 {user_id} 不存在或已停用 / unknown or inactive user",
                         [{"field": "userId", "message": f"用户 {user_id} 不存在或已停用"}])
    return user_id.strip()


def _reason(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("请填写加签或减签的理由 / a reason is required",
                               [{"field": "reason", "message": "请填写理由"}])
    if len(text.strip()) > REASON_LIMIT:
        raise BadRequest(f"理由不超过 {REASON_LIMIT} 字 / the reason is too long",
                         [{"field": "reason", "message": f"不超过 {REASON_LIMIT} 字"}])
    return text.strip()
