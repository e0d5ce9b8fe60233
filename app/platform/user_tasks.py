"""The officer's commands on a task: claim, unclaim, complete, and reading its form.

Opinions on decisions (审批意见): a form schema marks its decision field(s) with
`"x-decision": true` and its opinion field(s) with `"x-opinion": true`. When a decision
field holds a value, every opinion field must be filled in, unless the value is listed in
the schema's top-level `"x-opinionOptionalFor"` (e.g. `["approve"]`: agreeing needs no
words, returning or rejecting does). Without that list every decision needs an opinion.
"""
from __future__ import annotations

import json

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from app.db import connection_of
from app.engine.errors import EngineError, TaskNotReady
from app.models import HistoricTask, ProcessInstance, Task
from app.prepared import Prepared

from app.core import confidential
from app.core.authorization import can_read_instance, require_readable_task
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound, ValidationFailed
from app.core.extensions import Refused, TaskEvent
from app.core.identity import Actor
from app.platform.generic_forms import generic_form
from app.platform import forms, history, instance_store, task_local_rows
from app.platform.permissions import claim_refusal, enforce, holder_refusal
from app.platform.process_instances import advance, visible_variables


_TASK = Task.__table__
_HISTORIC_TASK = HistoricTask.__table__
_SELECT_TASK = Prepared(select(_TASK).where(_TASK.c.id == bindparam("id")))
_SELECT_FINISHED = Prepared(
    select(_HISTORIC_TASK.c.end_time).where(_HISTORIC_TASK.c.id == bindparam("id"))
)
_ASSIGN = Prepared(
    update(_TASK)
    .where(and_(_TASK.c.id == bindparam("task_id"), _TASK.c.version == bindparam("seen")))
    .values(assignee=bindparam("assignee"), version=_TASK.c.version + 1)
)
_ASSIGN_HISTORIC = Prepared(
    update(_HISTORIC_TASK).where(_HISTORIC_TASK.c.id == bindparam("task_id"))
    .values(assignee=bindparam("assignee"))
)
_COMPLETE_HISTORIC = Prepared(
    update(_HISTORIC_TASK).where(_HISTORIC_TASK.c.id == bindparam("task_id"))
    .values(end_time=bindparam("now"), completed_by=bindparam("user_id"),
            assignee=bindparam("assignee"), delete_reason="completed",
            variables_json=bindparam("variables_json"))
)


def get_task(session: Session, actor: Actor, task_id: str):
    return require_readable_task(actor, _select_task(session, task_id), task_id, session)


def next_task_for(session: Session, actor: Actor, instance_id: str) -> str | None:
    """An open task of the case that `actor` holds: after a submit that brought the case back
    to them (a refused eligibility check, a second round), their page is that task."""
    return session.scalar(select(Task.id).where(Task.instance_id == instance_id, Task.assignee == actor.id)
                          .order_by(Task.created_at.desc(), Task.id).limit(1))


def finished_case(session: Session, actor: Actor, task_id: str) -> str | None:
    """The case of a task that is no longer open, if `actor` may read the case: a link to a
    done task (已办, a notification) then leads to its case instead of a dead end."""
    instance_id = session.scalar(select(HistoricTask.instance_id).where(
        HistoricTask.id == task_id, HistoricTask.end_time.is_not(None)))
    instance = session.get(ProcessInstance, instance_id) if instance_id else None
    if instance is None or not can_read_instance(session, actor, instance):
        return None
    return instance.id


def _select_task(session: Session, task_id: str):
    return _SELECT_TASK.first(connection_of(session), {"id": task_id})


def claim(ctx: AppContext, session: Session, actor: Actor, task_id: str,
          for_user: str | None = None) -> Task:
    """Claim the task for the actor (`for_user`, Camunda's `userId`, may only name them)."""
    if for_user is not None and for_user != actor.id:
        raise BadRequest("只能为自己认领任务 / you can only claim for yourself")
    task = _open_task(session, actor, task_id)
    if task.assignee == actor.id:
        return task
    enforce(claim_refusal(actor, task))
    _assign(ctx, session, task, actor.id, "task_claimed", actor.id)
    return task


def unclaim(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> Task:
    task = _open_task(session, actor, task_id)
    if task.assignee is None:
        return task
    enforce(holder_refusal(actor, task))
    _assign(ctx, session, task, None, "task_unclaimed", actor.id)
    return task


def _assign(ctx, session, task, assignee: str | None, event: str, user_id: str) -> None:
    instance_store.lock_instance(session, task.instance_id)
    conn = connection_of(session)
    if _ASSIGN.execute(conn, {"task_id": task.id, "seen": task.version, "assignee": assignee}) != 1:
        raise Conflict("任务已被他人修改，请刷新后重试 / the task was changed meanwhile")
    _ASSIGN_HISTORIC.execute(conn, {"task_id": task.id, "assignee": assignee})
    history.append(session, task.instance_id, task.process_key, [
        history.event(event, user_id, task.task_key, task.id, assignee=assignee)
    ], ctx.now())


def _open_task(session: Session, actor: Actor, task_id: str):
    task = _select_task(session, task_id)
    if task is None:
        _raise_if_finished(session, task_id)
    return require_readable_task(actor, task, task_id, session)


def _raise_if_finished(session: Session, task_id: str) -> None:
    end_time = _SELECT_FINISHED.scalar(connection_of(session), {"id": task_id})
    if end_time is not None:
        raise Conflict("任务已办结或已被撤销 / the task was already completed or cancelled")


def complete(ctx: AppContext, session: Session, actor: Actor, task_id: str,
             values: dict, types: dict | None = None) -> str:
    """Complete the task with `values`; returns its instance's id."""
    task, instance_row = instance_store.task_and_instance(session, task_id)
    if task is None:
        _raise_if_finished(session, task_id)
    task = require_readable_task(actor, task, task_id, session)
    enforce(holder_refusal(actor, task))
    loaded = instance_store.load(ctx, session, task.instance_id, instance_row)
    _validate_form(ctx, session, loaded.definition, task, values)
    _run_listeners(ctx, session, actor, task, loaded, values)
    try:
        loaded.execution.complete_user_task(task_id, values)
    except TaskNotReady as error:
        raise Conflict("任务已办结或已被撤销 / the task is no longer waiting") from error
    except EngineError as error:
        raise BadRequest(str(error)) from error
    loaded.types.update(types or {})
    loaded.waits["completed_task"] = task_id
    loaded.record("task_completed", actor.id, activity_id=task.task_key, task_id=task_id)
    _COMPLETE_HISTORIC.send_later(connection_of(session), [{
        "task_id": task_id, "now": ctx.now(), "user_id": actor.id,
        "assignee": task.assignee or actor.id,
        "variables_json": json.dumps(values, ensure_ascii=False, default=str),
    }])
    advance(ctx, session, loaded, actor)
    return task.instance_id


def _run_listeners(ctx, session, actor: Actor, task, loaded, values: dict) -> None:
    listeners = ctx.handlers.listeners(task.process_key, task.task_key)
    if not listeners:
        return
    event = TaskEvent(
        process_key=task.process_key, task_key=task.task_key, task_id=task.id,
        process_instance_id=task.instance_id, business_key=task.business_key,
        actor_id=actor.id, actor_organization_id=actor.organization_id, values=dict(values),
        variables=dict(loaded.variables), session=session, now=ctx.now(), app=ctx,
    )
    try:
        for listener in listeners:
            listener(event)
    except Refused as refused:
        raise ValidationFailed("提交的内容不符合规定 / the submission was refused", refused.errors) from refused


def _validate_form(ctx, session, definition, task, values: dict) -> None:
    validator = form_validator(ctx, session, definition, task)
    if validator is not None:
        check_submission(validator, values)


def form_validator(ctx, session, definition, task):
    """What checks the step's form, or None where any value goes: a generic form checks the
    types its model's form fields declare; one made of the variables takes any value, as
    Camunda's does."""
    if not task.form_key:
        fields = _form_fields(definition, task.task_key)
        return forms.validator_of(generic_form(fields, {})[0]) if fields else None
    form_version_id = json.loads(definition.forms_json).get(task.form_key)
    return None if form_version_id is None else forms.validator_for(ctx, session, form_version_id)


def _form_fields(definition, task_key: str) -> list[dict]:
    """The `camunda:formField`s of a step without a form key (compiler.form_fields)."""
    return json.loads(definition.elements_json or "{}").get(task_key, {}).get("formFields", [])


def check_submission(validator, values: dict) -> None:
    """What a submitted form must pass: its schema, then the opinion rule (the analysts'
    sample submit goes through this too)."""
    forms.validate(validator, values)
    missing = opinion_problems(validator.schema, values)
    if missing:
        raise ValidationFailed("请填写审批意见 / an opinion is required for this decision", missing)


def opinion_problems(schema: dict, values: dict) -> list[dict]:
    """See the module docstring: a decision needs an opinion unless its value is exempt."""
    properties = schema.get("properties") or {}
    decisions = [name for name, p in properties.items() if isinstance(p, dict) and p.get("x-decision")]
    exempt = schema.get("x-opinionOptionalFor") or []
    if not any(values.get(name) not in (None, "") and values.get(name) not in exempt
               for name in decisions):
        return []
    return [
        {"field": name, "message": f"{p.get('title') or name}：请填写审批意见"}
        for name, p in properties.items()
        if isinstance(p, dict) and p.get("x-opinion") and not str(values.get(name) or "").strip()
    ]


def form_of(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> dict:
    """The task's form: schema, UI hints, and the instance's current values to pre-fill."""
    task, instance, definition, form_version_id = _pinned_form(ctx, session, actor, task_id)
    values, _types = visible_variables(actor, instance)
    if not task.form_key:
        schema, ui = generic_form(_form_fields(definition, task.task_key), values)
        return {"key": None, "schema": schema, "ui": ui, "values": values}
    if form_version_id is None:
        return {"key": task.form_key, "schema": None, "ui": None, "values": values}
    form = forms.form_version(ctx, session, form_version_id)
    return {
        "key": task.form_key, "version": form.version, "schema": json.loads(form.schema_json),
        "ui": json.loads(form.ui_json) if form.ui_json else None, "values": values,
    }


def deployed_form(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> str:
    """The form file the task's definition was deployed with (its JSON Schema, as deployed);
    NotFound for a task worked in a generic form."""
    form_version_id = _pinned_form(ctx, session, actor, task_id)[3]
    if form_version_id is None:
        raise NotFound(f"任务 {task_id} 没有部署的表单 / No deployed form for task {task_id}")
    return forms.form_version(ctx, session, form_version_id).schema_json


def _pinned_form(ctx: AppContext, session: Session, actor: Actor, task_id: str) -> tuple:
    """(task, instance, definition, the form version the definition pinned for the task's
    form key, None when none) of a task `actor` may read."""
    task = get_task(session, actor, task_id)
    instance = session.get(ProcessInstance, task.instance_id)
    definition = instance_store.definition_of(ctx, session, instance.definition_id)
    return task, instance, definition, json.loads(definition.forms_json).get(task.form_key or "")


def task_variables(session: Session, actor: Actor, task_id: str) -> tuple[str, dict, dict]:
    """What an open task sees (Camunda's task variables: its instance's and, hiding those of
    the same name, its own local ones, as `actor` may read them): the instance's id, the
    values and their declared types."""
    task = get_task(session, actor, task_id)
    values, types = visible_variables(actor, session.get(ProcessInstance, task.instance_id))
    local, local_types = task_local_rows.stored(session, task_id)
    local = confidential.visible_values(actor, local)
    types = {name: kind for name, kind in types.items() if name not in local} | local_types
    return task.instance_id, values | local, types


def variables_after(session: Session, actor: Actor, task_id: str) -> tuple[dict, dict]:
    """The instance's variables once `task_id` was completed (Camunda's withVariablesInReturn),
    as `actor` may read them."""
    instance_id = session.scalar(select(HistoricTask.instance_id).where(HistoricTask.id == task_id))
    if instance_id is None:
        raise NotFound(f"任务 {task_id} 不存在 / task not found")
    return visible_variables(actor, session.get(ProcessInstance, instance_id))
