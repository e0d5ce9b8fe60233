"""A BPMN error thrown from a user task (Camunda's task bpmnError): the holder ends the step
on the path its model draws for that error, the task's error boundary event."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.authorization import require_readable_task
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict
from app.core.identity import Actor
from app.engine.errors import EngineError, TaskNotReady
from app.platform import forms, instance_store, user_tasks
from app.platform.external_tasks import ERROR_MESSAGE_MAX
from app.platform.permissions import enforce, holder_refusal
from app.platform.process_instances import advance


def bpmn_error(ctx: AppContext, session: Session, actor: Actor, task_id: str, body: dict,
               values: dict, types: dict) -> str:
    """The holder's BPMN error `errorCode` (with `errorMessage` and variables, each a field
    of the step's form checked as the form checks it); returns the instance's id. Unlike
    Camunda, which then ends the execution, an error no boundary event of the task catches
    is refused (400 naming errorCode) and the task stays as it was."""
    code, message = _error_of(body)
    task, instance_row = instance_store.task_and_instance(session, task_id)
    task = require_readable_task(actor, task, task_id, session)
    enforce(holder_refusal(actor, task))
    loaded = instance_store.load(ctx, session, task.instance_id, instance_row)
    validator = user_tasks.form_validator(ctx, session, loaded.definition, task)
    if validator is not None:
        forms.validate_fields(validator.schema, values)
    try:
        caught = loaded.execution.throw_bpmn_error(task_id, code, values)
    except TaskNotReady as error:
        raise Conflict("任务已办结或已被撤销 / the task is no longer waiting") from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    if not caught:
        raise BadRequest(f"「{task.task_key}」没有捕获错误码 {code} 的边界错误事件 / no error boundary event "
                         f"of {task.task_key} catches error code {code}",
                         [{"field": "errorCode", "message": f"本步骤没有捕获错误码 {code} 的边界错误事件"}])
    loaded.types.update(types)
    loaded.record("task_bpmn_error", actor.id, activity_id=task.task_key, task_id=task_id,
                  error_code=code, error_message=message)
    advance(ctx, session, loaded, actor)
    return task.instance_id


def _error_of(body: dict) -> tuple[str, str | None]:
    code, message = body.get("errorCode"), body.get("errorMessage")
    if not isinstance(code, str) or not code.strip():
        raise BadRequest("errorCode 不能为空 / errorCode is required",
                         [{"field": "errorCode", "message": "不能为空"}])
    if message is not None and not isinstance(message, str):
        raise BadRequest("errorMessage 应为文本 / errorMessage must be a text",
                         [{"field": "errorMessage", "message": "应为文本"}])
    return code, (message or "")[:ERROR_MESSAGE_MAX] or None
