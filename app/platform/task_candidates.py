"""A task's identity links as Camunda names them: its candidate users and groups, its
assignee and its owner; and adding or removing a candidate (the department deciding whom a
waiting task is offered to). A change is a grant of the task, so it is audited like 抄送,
refused or done, and written to the case's history. The candidates live twice, in the
task row (what the rules read) and in `task_candidate` (what the inbox queries): both change
together, under the task's version like every other change of the task."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import Task, TaskCandidate

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.identity import Actor, load_actor
from app.platform import history, instance_store, permissions, user_tasks

CANDIDATE = "candidate"
LINK_TYPES = ("candidate", "assignee", "owner")
MAX_GROUP = TaskCandidate.__table__.c.value.type.length
_TASK = Task.__table__
_SET_CANDIDATES = (
    update(_TASK).where(and_(_TASK.c.id == bindparam("task_id"), _TASK.c.version == bindparam("seen")))
    .values(candidate_users=bindparam("users"), candidate_groups=bindparam("groups"), version=_TASK.c.version + 1)
)


def links(session: Session, actor: Actor, task_id: str, link_type: str | None = None) -> list[dict]:
    """The task's links, each {userId, groupId, type}, as `actor` may read the task."""
    if link_type is not None and link_type not in LINK_TYPES:
        raise BadRequest(f"type 应为 {'、'.join(LINK_TYPES)} 之一 / unknown link type {link_type}",
                         [{"field": "type", "message": f"应为 {', '.join(LINK_TYPES)} 之一"}])
    task = user_tasks.get_task(session, actor, task_id)
    found = [{"userId": task.assignee, "groupId": None, "type": "assignee"}] if task.assignee else []
    if task.owner:
        found.append({"userId": task.owner, "groupId": None, "type": "owner"})
    found += [{"userId": u, "groupId": None, "type": CANDIDATE} for u in _split(task.candidate_users)]
    found += [{"userId": None, "groupId": g, "type": CANDIDATE} for g in _split(task.candidate_groups)]
    return [link for link in found if link_type is None or link["type"] == link_type]


def add_candidate(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict) -> None:
    _change(ctx, session, actor, task_id, body, adding=True)


def remove_candidate(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict) -> None:
    _change(ctx, session, actor, task_id, body, adding=False)


def _change(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict, adding: bool) -> None:
    action = "task.candidate.add" if adding else "task.candidate.remove"
    user_id, group_id = _target(body)
    task = user_tasks.get_task(session, actor, task_id)
    details = {"processInstanceId": task.instance_id, "userId": user_id, "groupId": group_id}
    refusal = permissions.candidates_refusal(actor, task)
    if refusal is None and adding:
        refusal = permissions.candidate_target_refusal(task, _user(session, user_id), group_id)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=task.id, source=actor.source,
                             details=details)
        raise refusal
    kind, value = ("user", user_id) if user_id is not None else ("group", group_id)
    users, groups = _split(task.candidate_users), _split(task.candidate_groups)
    chosen = users if kind == "user" else groups
    if adding and value not in chosen:
        chosen.append(value)
    elif not adding and value in chosen:
        chosen.remove(value)
    else:
        return
    _write(session, task, users, groups, kind, value, adding)
    history.append(session, task.instance_id, task.process_key, [history.event(
        "candidate_added" if adding else "candidate_removed", actor.id, task.task_key, task.id,
        **{kind: value})], ctx.now())
    audit.record(ctx, session, action, user_id=actor.id, target=task.id, source=actor.source, details=details)


def _target(body: dict) -> tuple[str | None, str | None]:
    """(userId, groupId) of a candidate link: exactly one of them, of type candidate."""
    link_type = body.get("type")
    if link_type != CANDIDATE:
        raise BadRequest("只能增删候选人（type 为 candidate）；办理人请用 /assignee，委托人随委派而定 / only "
                         "candidate links are changed here", [{"field": "type", "message": "应为 candidate"}])
    user_id, group_id = body.get("userId"), body.get("groupId")
    if (user_id is None) == (group_id is None):
        raise BadRequest("userId 与 groupId 须给出且只给出其一 / give either userId or groupId",
                         [{"field": "userId", "message": "userId 与 groupId 须给出且只给出其一"}])
    field, value = ("userId", user_id) if user_id is not None else ("groupId", group_id)
    # The task row keeps its candidates comma-separated.
    if not isinstance(value, str) or not value.strip() or "," in value or len(value) > MAX_GROUP:
        raise BadRequest(f"{field} 应为不含逗号、不超过 {MAX_GROUP} 个字符的标识 / {field} must be an id",
                         [{"field": field, "message": f"应为不含逗号、不超过 {MAX_GROUP} 个字符的标识"}])
    value = value.strip()
    return (value, None) if field == "userId" else (None, value)


def _user(session: Session, user_id: str | None) -> Actor | None:
    if user_id is None:
        return None
    user = load_actor(session, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在或已停用 / unknown or inactive user {user_id}")
    return user


def _write(session: Session, task, users: list[str], groups: list[str], kind: str, value: str,
           adding: bool) -> None:
    instance_store.lock_instance(session, task.instance_id)
    conn = connection_of(session)
    changed = conn.execute(_SET_CANDIDATES, {"task_id": task.id, "seen": task.version,
                                             "users": ",".join(users), "groups": ",".join(groups)})
    if changed.rowcount != 1:
        raise Conflict("任务已被他人修改，请刷新后重试 / the task was changed meanwhile")
    row = {"task_id": task.id, "kind": kind, "value": value}
    if adding:
        conn.execute(insert(TaskCandidate.__table__), row)
    else:
        conn.execute(delete(TaskCandidate.__table__).where(
            TaskCandidate.task_id == task.id, TaskCandidate.kind == kind, TaskCandidate.value == value))


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]
