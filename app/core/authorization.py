"""Who may read what (tasks, instances), start a process or administer: one place for the
UI and the REST API alike. Who may act on a task or a case is `permissions`."""
from __future__ import annotations

from sqlalchemy import bindparam, exists, or_, select, true

from app.models import HistoricTask, InstanceReader, ProcessDefinition, ProcessInstance, Task, TaskCandidate

from app.core import confidential
from app.core.errors import Forbidden, NotFound
from app.core.identity import SERVICE_GROUP, Actor


def task_visibility(actor: Actor):
    """A SQL condition on `Task`: the tasks `actor` may read.

    Its parameters have fixed names, so a statement built for one reader serves any
    reader with as many groups, given `reader_parameters` (see `queries.list_tasks`)."""
    if actor.sees_everything:
        return true()
    reader = bindparam("reader_id", actor.id)
    groups = [bindparam(name, group) for name, group in _group_parameters(actor).items()]
    return or_(
        Task.assignee == reader,
        candidate_of(reader, groups),
        _is_reader(actor, Task.instance_id) & confidential.not_confidential(Task.task_key),
    )


def candidate_of(user, groups):
    """A SQL condition on `Task`: `user` is a candidate, in person or through one of `groups`."""
    as_user = (TaskCandidate.kind == "user") & (TaskCandidate.value == user)
    if not groups:
        # An empty IN would need an expanding parameter, which prepared statements cannot take.
        return exists().where(TaskCandidate.task_id == Task.id, as_user)
    as_member = (TaskCandidate.kind == "group") & TaskCandidate.value.in_(groups)
    return exists().where(TaskCandidate.task_id == Task.id, or_(as_user, as_member))


def visibility_shape(actor: Actor) -> tuple:
    """What the SQL of `task_visibility` depends on (its parameter values aside)."""
    return (actor.sees_everything, len(actor.candidate_values))


def reader_parameters(actor: Actor) -> dict:
    return {} if actor.sees_everything else {"reader_id": actor.id, **_group_parameters(actor)}


def _group_parameters(actor: Actor) -> dict:
    return {f"reader_group_{n}": group for n, group in enumerate(sorted(actor.candidate_values))}


def _is_reader(actor: Actor, instance_id):
    """Copied in (抄送): one primary-key probe of `instance_reader`."""
    return exists().where(InstanceReader.instance_id == instance_id,
                          InstanceReader.user_id == bindparam("reader_id", actor.id))


def is_candidate(actor: Actor, task: Task) -> bool:
    groups = {g for g in task.candidate_groups.split(",") if g}
    users = {u for u in task.candidate_users.split(",") if u}
    return actor.id in users or bool(groups & actor.candidate_values)


def can_read_task(actor: Actor, task: Task) -> bool:
    return actor.sees_everything or task.assignee == actor.id or is_candidate(actor, task)


def require_readable_task(actor: Actor, task: Task | None, task_id: str, session=None) -> Task:
    """The task if `actor` may read it; with `session`, also as a reader of its instance
    (抄送), an expert's review aside."""
    if task is not None and can_read_task(actor, task):
        return task
    if task is not None and session is not None and confidential.sees_step(
        actor, task.task_key, task.assignee
    ) and session.scalar(select(_is_reader(actor, task.instance_id))):
        return task
    raise NotFound(f"任务 {task_id} 不存在或无权查看 / task not found")


def _took_part(actor: Actor, instance_id):
    """Handled one of the case's steps: a recommender after the letter, an expert after
    scoring reads the case for as long as it exists (what they may see of it)."""
    reader = bindparam("reader_id", actor.id)
    return exists().where(HistoricTask.instance_id == instance_id,
                          or_(HistoricTask.assignee == reader, HistoricTask.completed_by == reader))


def instance_visibility(actor: Actor):
    if actor.sees_everything:
        return true()
    return or_(
        ProcessInstance.started_by == actor.id,
        ProcessInstance.owner_org == actor.organization_id,
        _is_reader(actor, ProcessInstance.id),
        _took_part(actor, ProcessInstance.id),
        exists().where(
            Task.instance_id == ProcessInstance.id,
            task_visibility(actor),
        ),
    )


def can_read_instance(session, actor: Actor, instance: ProcessInstance) -> bool:
    if actor.sees_everything or instance.started_by == actor.id:
        return True
    if instance.owner_org == actor.organization_id:
        return True
    return bool(session.scalar(select(or_(
        _is_reader(actor, instance.id),
        _took_part(actor, instance.id),
        exists().where(Task.instance_id == instance.id, task_visibility(actor)),
    ))))


def require_readable_instance(session, actor: Actor, instance: ProcessInstance | None, instance_id: str):
    if instance is None or not can_read_instance(session, actor, instance):
        raise NotFound(f"流程实例 {instance_id} 不存在或无权查看 / process instance not found")
    return instance


def require_can_start(actor: Actor, definition: ProcessDefinition) -> None:
    groups = {g for g in definition.starter_groups.split(",") if g}
    users = {u for u in definition.starter_users.split(",") if u}
    if not groups and not users:
        if actor.in_any({"manager"}) and not actor.in_any({"department", "admin"}):
            raise Forbidden("管理者只能查看，不能发起流程 / managers have read-only access")
        return
    if actor.id in users or groups & actor.candidate_values or actor.in_any({"admin"}):
        return
    raise Forbidden(f"您无权发起流程 {definition.name or definition.key} / you may not start this process")


def require_admin(actor: Actor) -> None:
    if not actor.in_any({"admin"}):
        raise Forbidden("需要管理员权限 / administrators only")


def is_service(actor: Actor) -> bool:
    return SERVICE_GROUP in actor.groups

