"""A user task's local variables (Camunda's /task/{id}/localVariables).

Camunda keeps them in the task's own scope: the task reads them (its `/variables` too,
where they hide a process variable of the same name), the process never does, and they end
with the task. Here they are rows beside the task (`task_local_rows`), never given to the
engine, and the task's row takes them when it ends (ON DELETE CASCADE)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.platform import instance_store, task_local_rows, user_tasks
from app.platform.instance_operations import check_deletions
from app.platform.permissions import act_refusal, enforce

NAME_MAX = 100


def read(session: Session, actor: Actor, task_id: str) -> tuple[dict, dict]:
    """The task's local values, as `actor` may read them, and their declared types."""
    user_tasks.get_task(session, actor, task_id)
    values, types = task_local_rows.stored(session, task_id)
    return confidential.visible_values(actor, values), types


def read_one(session: Session, actor: Actor, task_id: str, name: str) -> tuple[object, object]:
    values, types = read(session, actor, task_id)
    if name not in values:
        raise NotFound(f"任务 {task_id} 没有局部变量 {name} / task variable with name {name} does not exist")
    return values[name], types.get(name)


def modify(ctx: AppContext, session: Session, actor: Actor, task_id: str, values: dict, types: dict,
           deletions: list) -> None:
    """Set and remove local variables: who may work on the task (its assignee, or a
    candidate while nobody holds it), as with its form."""
    check_deletions(deletions)
    too_long = sorted(name for name in (*values, *deletions) if len(name) > NAME_MAX)
    if too_long:
        raise BadRequest(f"变量名过长：{too_long[0][:20]}… / variable name longer than {NAME_MAX}",
                         [{"field": name, "message": f"变量名不能超过 {NAME_MAX} 个字符"} for name in too_long])
    instance_id = user_tasks.get_task(session, actor, task_id).instance_id
    # The instance's row first, as every command takes it: the task cannot end meanwhile.
    instance_store.lock_instance(session, instance_id)
    enforce(act_refusal(actor, user_tasks.get_task(session, actor, task_id)))
    task_local_rows.write(session, task_id, values, types, deletions, ctx.now())
