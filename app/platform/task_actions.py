"""What officers do with a task besides completing it: 转办, 委派, 退回, 撤回, 催办, 抄送.

Each action enforces its rule of `permissions` (who may take it, and to whom), changes the
inbox rows (and, for 退回 and 撤回, the instance), records a history event with who, when
and the opinion, and notifies the people it concerns.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine.errors import EngineError, TaskNotReady
from app.models import (
    HistoricActivity, HistoricTask, HistoryEvent, InstanceReader, MessageSubscription,
    ProcessInstance, Task, User, UserGroup,
)

from app.core import audit
from app.core.authorization import can_read_instance
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound, ServiceError, ValidationFailed
from app.core.identity import Actor, load_actor
from app.platform import (
    drafts, history, instance_store, messages, model_names, notifications, permissions, user_tasks,
)
from app.platform.permissions import PENDING, enforce
from app.platform.process_instances import advance, take_instance, terminate

URGE_INTERVAL = timedelta(hours=1)
RESOLVED = "RESOLVED"

_TASK = Task.__table__
_HISTORIC_TASK = HistoricTask.__table__
_EVENT = HistoryEvent.__table__
_ACTIVITY = HistoricActivity.__table__
_REASSIGN = (
    update(_TASK)
    .where(and_(_TASK.c.id == bindparam("task_id"), _TASK.c.version == bindparam("seen")))
    .values(assignee=bindparam("assignee"), owner=bindparam("owner"),
            delegation_state=bindparam("delegation_state"), version=_TASK.c.version + 1)
)
_REASSIGN_HISTORIC = (
    update(_HISTORIC_TASK).where(_HISTORIC_TASK.c.id == bindparam("task_id"))
    .values(assignee=bindparam("assignee"), owner=bindparam("owner"),
            delegation_state=bindparam("delegation_state"))
)
_MARK_RETURNED = (
    update(_HISTORIC_TASK).where(_HISTORIC_TASK.c.id == bindparam("task_id"))
    .values(delete_reason="returned", completed_by=bindparam("user_id"))
)
_CANCEL_ACTIVITIES = (
    update(_ACTIVITY).where(_ACTIVITY.c.id.in_(bindparam("ids", expanding=True)))
    .values(end_time=bindparam("now"), canceled=True)
)
_LAST_COMPLETERS = (
    select(_HISTORIC_TASK.c.task_key, _HISTORIC_TASK.c.completed_by)
    .where(_HISTORIC_TASK.c.instance_id == bindparam("instance_id"),
           _HISTORIC_TASK.c.delete_reason == "completed")
    .order_by(_HISTORIC_TASK.c.end_time)
)
_RECENT_URGES = select(_EVENT.c.task_id).where(
    _EVENT.c.instance_id == bindparam("instance_id"), _EVENT.c.event_type == "task_urged",
    _EVENT.c.user_id == bindparam("user_id"), _EVENT.c.occurred_at > bindparam("since"),
)


# 转办 -------------------------------------------------------------------------------------

def transfer(ctx: AppContext, session: Session, actor: Actor, task_id: str, to_user_id: str,
             opinion: str | None = None) -> None:
    """Hand the task to another candidate (same group and, for scoped groups, same unit);
    an administrator gives an unassigned task to one (`permissions.assign_refusal`)."""
    opinion = _text(opinion, "opinion", "转办意见")
    task = _open_task(session, actor, task_id)
    enforce(permissions.assign_refusal(actor, task))
    target = _active_user(session, to_user_id, "转办")
    enforce(permissions.transfer_target_refusal(actor, task, target))
    _reassign(session, task, target.id, task.owner, task.delegation_state)
    _record(ctx, session, task, "task_transferred", actor, from_user=task.assignee or actor.id,
            to_user=target.id, opinion=opinion)
    s = _subject(ctx, session, task)
    _tell(ctx, session, target.id, "transferred", task, (f"转办：{s.step}", f"Transferred: {s.step_en}"),
          (f"{actor.display_name} 将{s.case}的「{s.step}」转交给您办理。",
           f"{actor.display_name} transferred “{s.step_en}” of {s.case_en} to you."), opinion)


# 委派 / 交还 -------------------------------------------------------------------------------

def delegate(ctx: AppContext, session: Session, actor: Actor, task_id: str, to_user_id: str,
             opinion: str | None = None) -> None:
    """Let someone else work on the task; it comes back to the actor (the owner) to complete."""
    opinion = _text(opinion, "opinion", "委派意见")
    task = _held(session, actor, task_id)
    target = _active_user(session, to_user_id, "委派")
    enforce(permissions.delegate_target_refusal(actor, task, target))
    _reassign(session, task, target.id, actor.id, PENDING)
    _record(ctx, session, task, "task_delegated", actor, to_user=target.id, opinion=opinion)
    s = _subject(ctx, session, task)
    _tell(ctx, session, target.id, "delegated", task, (f"委派：{s.step}", f"Delegated: {s.step_en}"),
          (f"{actor.display_name} 将{s.case}的「{s.step}」委派给您办理，办理后请交还。",
           f"{actor.display_name} delegated “{s.step_en}” of {s.case_en} to you; hand it back when done."),
          opinion)


def resolve(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict,
            opinion: str | None = None) -> None:
    """The delegate hands the task back: `values` become the owner's draft, not a completion."""
    opinion = _text(opinion, "opinion", "办理意见")
    task = _open_task(session, actor, task_id)
    enforce(permissions.resolve_refusal(actor, task))
    if not isinstance(values, dict):
        raise BadRequest("variables 必须是对象 / variables must be an object")
    drafts.keep(ctx, session, task.id, task.owner, values)
    _reassign(session, task, task.owner, task.owner, RESOLVED)
    _record(ctx, session, task, "task_resolved", actor, to_user=task.owner,
            fields=sorted(values), opinion=opinion)
    s = _subject(ctx, session, task)
    _tell(ctx, session, task.owner, "delegated", task, (f"委派已办理：{s.step}", f"Delegation done: {s.step_en}"),
          (f"{actor.display_name} 已办理您委派的{s.case}「{s.step}」，请审核后完成。",
           f"{actor.display_name} has worked on “{s.step_en}” of {s.case_en}, which you delegated; "
           "review it and complete it."), opinion)


# 退回 -------------------------------------------------------------------------------------

def return_targets(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> list[dict]:
    """The earlier user steps the task may be sent back to, nearest first."""
    task = _held(session, actor, task_id)
    loaded = instance_store.load(ctx, session, task.instance_id)
    try:
        targets = loaded.execution.return_targets(task_id)
    except TaskNotReady as error:
        raise Conflict("任务已办结或已被撤销 / the task is no longer waiting") from error
    completers = _last_completers(session, task.instance_id)
    return [{"activityId": activity_id, "name": name, "assignee": completers.get(activity_id)}
            for activity_id, name in targets]


def send_back(ctx: AppContext, session: Session, actor: Actor, task_id: str,
              target_activity_id: str, opinion: str) -> str:
    """Reopen an earlier step for whoever did it last time; returns the reopened task's id."""
    opinion = _required_opinion(opinion)
    if not isinstance(target_activity_id, str) or not target_activity_id:
        raise ValidationFailed("请选择退回到哪一步 / activityId is required",
                               [{"field": "activityId", "message": "退回步骤：请选择"}])
    task = _held(session, actor, task_id)
    loaded = instance_store.load(ctx, session, task.instance_id)
    active_before = {a.id for a in loaded.execution.activities() if a.state == "active"}
    try:
        reopened = loaded.execution.return_to(task_id, target_activity_id, {
            "lastReturnOpinion": opinion, "lastReturnBy": actor.id,
        })
    except TaskNotReady as error:
        raise Conflict("任务已办结或已被撤销 / the task is no longer waiting") from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    previous = _last_completers(session, task.instance_id).get(target_activity_id)
    loaded.record("task_returned", actor.id, activity_id=task.task_key, task_id=task_id,
                  target=target_activity_id, reopened_task=reopened, returned_to=previous,
                  opinion=opinion)
    advance(ctx, session, loaded, actor)
    conn = connection_of(session)
    conn.execute(_MARK_RETURNED, {"task_id": task_id, "user_id": actor.id})
    # The reset removed the steps after the target from the engine's tree; their activity
    # history would otherwise stay open for ever.
    dropped = active_before - {a.id for a in loaded.execution.activities()}
    if dropped:
        conn.execute(_CANCEL_ACTIVITIES, {"ids": sorted(dropped), "now": ctx.now()})
    _hand_back(ctx, session, actor, reopened, previous, opinion)
    return reopened


def _hand_back(ctx, session: Session, actor: Actor, task_id: str, user_id: str | None,
               opinion: str) -> None:
    """Assign the reopened step to its previous completer, if still active, and tell them."""
    task = connection_of(session).execute(select(_TASK).where(_TASK.c.id == task_id)).first()
    if task is None or user_id is None or load_actor(session, user_id) is None:
        return
    _reassign(session, task, user_id, task.owner, task.delegation_state)
    s = _subject(ctx, session, task)
    _tell(ctx, session, user_id, "returned", task, (f"退回：{s.step}", f"Returned: {s.step_en}"),
          (f"{actor.display_name} 将{s.case}退回到「{s.step}」，请重新办理。",
           f"{actor.display_name} returned {s.case_en} to “{s.step_en}”; please work on it again."), opinion)


def _required_opinion(opinion: str | None) -> str:
    text = opinion.strip() if isinstance(opinion, str) else ""
    if not text:
        raise ValidationFailed("请填写审批意见 / an opinion is required",
                               [{"field": "opinion", "message": "退回意见：请填写审批意见"}])
    return text


def _last_completers(session: Session, instance_id: str) -> dict[str, str]:
    rows = connection_of(session).execute(_LAST_COMPLETERS, {"instance_id": instance_id})
    return {task_key: user_id for task_key, user_id in rows}


# 撤回 -------------------------------------------------------------------------------------

def withdraw(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
             reason: str | None = None) -> None:
    """The applicant takes the instance back: along the diagram's withdrawal path if it has one."""
    instance = take_instance(session, actor, instance_id)
    enforce(permissions.withdraw_refusal(actor, permissions.case_of(instance)))
    reason = _text(reason, "reason", "撤回原因") or "申报单位撤回"
    if _waits_for(session, instance.id, messages.APPLICATION_WITHDRAWN):
        # The message records the withdrawal (`messages`), whoever sends it.
        messages.correlate(ctx, session, actor, messages.APPLICATION_WITHDRAWN,
                           process_instance_id=instance.id, variables={"withdrawReason": reason})
    else:
        history.append(session, instance.id, instance.process_key, [
            history.event("instance_withdrawn", actor.id, reason=reason)
        ], ctx.now())
        terminate(ctx, session, instance, "withdrawn", actor.id)


def _waits_for(session: Session, instance_id: str, message_name: str) -> bool:
    return bool(session.scalar(select(exists().where(
        MessageSubscription.instance_id == instance_id,
        MessageSubscription.message_name == message_name,
    ))))


# 催办 -------------------------------------------------------------------------------------

def urge(ctx: AppContext, session: Session, actor: Actor, task_id: str,
         message: str | None = None) -> list[str]:
    """Remind whoever holds the task (or every candidate); once an hour per task and person."""
    text = _text(message, "message", "催办内容")
    text, text_en = (text, text) if text else ("请尽快办理", "please handle it soon")
    task = _task_of_readable_instance(session, actor, task_id)
    # Once an hour holds only if two urges at once see each other: take the instance first.
    instance_store.lock_instance(session, task.instance_id)
    urged = task.id in urged_recently(ctx, session, actor, task.instance_id)
    enforce(permissions.urge_refusal(actor, task, urged))
    recipients = [task.assignee] if task.assignee else candidate_user_ids(session, task)
    _record(ctx, session, task, "task_urged", actor, recipients=recipients, message=text)
    s = _subject(ctx, session, task)
    for user_id in recipients:
        _tell(ctx, session, user_id, "urged", task, (f"催办：{s.step}", f"Reminder: {s.step_en}"),
              (f"{actor.display_name} 催办{s.case}的「{s.step}」：{text}",
               f"{actor.display_name} asks you to hurry with “{s.step_en}” of {s.case_en}: {text_en}"), None)
    return recipients


def urged_recently(ctx: AppContext, session: Session, actor: Actor, instance_id: str) -> set[str]:
    """The tasks of the instance `actor` urged within the last hour."""
    return set(connection_of(session).execute(_RECENT_URGES, {
        "instance_id": instance_id, "user_id": actor.id, "since": ctx.now() - URGE_INTERVAL,
    }).scalars())


def candidate_user_ids(session: Session, task) -> list[str]:
    """Active users named by the task's candidates: plain groups, `group:org`, `org:org`, users."""
    members = select(UserGroup.user_id)
    conditions = []
    for value in _split(task.candidate_groups):
        group, _, org = value.partition(":")
        if not org:
            conditions.append(User.id.in_(members.where(UserGroup.group_id == group)))
        elif group == "org":
            conditions.append(User.organization_id == org)
        else:
            conditions.append(and_(User.organization_id == org,
                                   User.id.in_(members.where(UserGroup.group_id == group))))
    users = _split(task.candidate_users)
    if users:
        conditions.append(User.id.in_(users))
    if not conditions:
        return []
    return list(session.scalars(
        select(User.id).where(User.active.is_(True), or_(*conditions)).order_by(User.id)
    ))


# 抄送 -------------------------------------------------------------------------------------

def carbon_copy(ctx: AppContext, session: Session, actor: Actor, instance_id: str,
                user_ids: list[str], note: str | None = None) -> list[str]:
    """Give users read-only access to the instance and its tasks; returns who was newly added.

    Who may copy and to whom: `permissions`. A grant is a permission change: the audit log
    keeps it, and a refused one too."""
    instance = take_instance(session, actor, instance_id)
    wanted = _user_list(user_ids)
    note = _text(note, "note", "抄送说明")
    try:
        _check_grant(session, actor, permissions.case_of(instance), wanted)
    except ServiceError as refused:
        audit.record_refusal(ctx, session, "instance.cc", user_id=actor.id, target=instance.id,
                             source=actor.source, details={"users": wanted, "reason": refused.message})
        raise
    already = set(session.scalars(select(InstanceReader.user_id).where(
        InstanceReader.instance_id == instance.id, InstanceReader.user_id.in_(wanted),
    )))
    added = [u for u in wanted if u not in already]
    now = ctx.now()
    if added:
        connection_of(session).execute(insert(InstanceReader.__table__), [
            {"instance_id": instance.id, "user_id": u, "granted_by": actor.id, "granted_at": now}
            for u in added
        ])
    history.append(session, instance.id, instance.process_key, [
        history.event("instance_cc", actor.id, users=wanted, note=note)
    ], now)
    audit.record(ctx, session, "instance.cc", user_id=actor.id, target=instance.id,
                 source=actor.source, details={"users": wanted, "added": added})
    named = notifications.case_name(instance.business_name, instance.business_key)
    named_en = notifications.case_name_en(instance.business_name, instance.business_key)
    title = notifications.both(f"抄送：{named}", f"Copied to you: {named_en}")
    body = notifications.both(f"{actor.display_name} 抄送给您{named}，供您知悉。" + _opinion_line(note),
                              f"{actor.display_name} copied {named_en} to you for your information."
                              + _opinion_line_en(note))
    notifications.send(connection_of(session), [
        notifications.message(u, "cc", title, body, instance.id) for u in wanted
    ], now)
    return added


def _check_grant(session: Session, actor: Actor, case, wanted: list[str]) -> None:
    enforce(permissions.copy_refusal(actor, case))
    targets = {u: load_actor(session, u) for u in wanted}
    unknown = [u for u, target in targets.items() if target is None]
    if unknown:
        raise BadRequest(f"用户 {'、'.join(unknown)} 不存在或已停用，不能抄送 / unknown users",
                         [{"field": "userIds", "message": f"用户 {u} 不存在或已停用"} for u in unknown])
    refused = [r for r in (permissions.copy_target_refusal(actor, case, t) for t in targets.values()) if r]
    if refused:
        raise ValidationFailed("不能抄送给所选人员 / these users may not be copied in",
                               [{"field": "userIds", "message": r.message} for r in refused])


def _user_list(user_ids) -> list[str]:
    if not isinstance(user_ids, list) or not user_ids or not all(
        isinstance(u, str) and u.strip() for u in user_ids
    ):
        raise ValidationFailed("请选择抄送对象 / userIds must be a non-empty list of user ids",
                               [{"field": "userIds", "message": "抄送对象：请至少选择一人"}])
    return list(dict.fromkeys(u.strip() for u in user_ids))


# Shared steps ------------------------------------------------------------------------------

def _open_task(session: Session, actor: Actor, task_id: str):
    """The open task `actor` may read; 409 once it is finished, 404 when unknown or hidden."""
    try:
        return user_tasks.get_task(session, actor, task_id)
    except NotFound:
        if session.scalar(select(HistoricTask.end_time).where(HistoricTask.id == task_id)):
            raise Conflict("任务已办结或已被撤销 / the task was already completed or cancelled") from None
        raise


def _held(session: Session, actor: Actor, task_id: str):
    """The open task, if `actor` may take its holder's steps (`permissions.holder_refusal`)."""
    task = _open_task(session, actor, task_id)
    enforce(permissions.holder_refusal(actor, task))
    return task


def _task_of_readable_instance(session: Session, actor: Actor, task_id: str):
    """An open task of an instance `actor` may read (which of its steps they may see is
    `permissions.urge_refusal`'s)."""
    task = connection_of(session).execute(select(_TASK).where(_TASK.c.id == task_id)).first()
    if task is None:
        return _open_task(session, actor, task_id)
    if not can_read_instance(session, actor, session.get(ProcessInstance, task.instance_id)):
        raise NotFound(f"任务 {task_id} 不存在或无权查看 / task not found")
    return task


def _text(value, field: str, title: str) -> str | None:
    """Optional free text from a client, stripped (None when blank); any other type is a 400."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{title}应为文本 / {field} must be text",
                               [{"field": field, "message": f"{title}：应为文本"}])
    return value.strip() or None


def _active_user(session: Session, user_id, verb: str) -> Actor:
    if not isinstance(user_id, str) or not user_id.strip():
        raise ValidationFailed(f"请选择{verb}对象 / userId is required",
                               [{"field": "userId", "message": f"{verb}对象：此项为必填项"}])
    user = load_actor(session, user_id.strip())
    if user is None:
        raise BadRequest(f"用户 {user_id} 不存在或已停用，不能{verb} / unknown or inactive user")
    return user


def _reassign(session: Session, task, assignee: str | None, owner: str | None,
              delegation_state: str | None) -> None:
    instance_store.lock_instance(session, task.instance_id)
    conn = connection_of(session)
    values = {"task_id": task.id, "assignee": assignee, "owner": owner,
              "delegation_state": delegation_state}
    if conn.execute(_REASSIGN, dict(values, seen=task.version)).rowcount != 1:
        raise Conflict("任务已被他人修改，请刷新后重试 / the task was changed meanwhile")
    conn.execute(_REASSIGN_HISTORIC, values)


def _record(ctx, session: Session, task, event_type: str, actor: Actor, **details) -> None:
    history.append(session, task.instance_id, task.process_key, [
        history.event(event_type, actor.id, task.task_key, task.id,
                      **{k: v for k, v in details.items() if v is not None})
    ], ctx.now())


@dataclass(frozen=True)
class _Subject:
    """How a notice names its task's step and case, in Chinese and in English."""

    step: str
    step_en: str
    case: str
    case_en: str


def _subject(ctx, session: Session, task) -> _Subject:
    english = model_names.english_names(ctx, session, task.definition_id).get(task.task_key)
    return _Subject(task.name, english or task.name, notifications.case_name(task.business_name, task.business_key),
                    notifications.case_name_en(task.business_name, task.business_key))


def _tell(ctx, session: Session, user_id: str, kind: str, task, title: tuple[str, str],
          body: tuple[str, str], opinion: str | None) -> None:
    """Notify `user_id` of an action on `task`: title and body (Chinese, English), the
    opinion under each."""
    notifications.notify(session, user_id, kind, notifications.both(*title),
                         notifications.both(body[0] + _opinion_line(opinion), body[1] + _opinion_line_en(opinion)),
                         task.instance_id, task.id, now=ctx.now())


def _opinion_line(opinion: str | None) -> str:
    return f"\n意见：{opinion}" if opinion else ""


def _opinion_line_en(opinion: str | None) -> str:
    return f"\nOpinion: {opinion}" if opinion else ""


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]

