"""An execution's local variables (Camunda's /execution/{id}/localVariables). The process
instance's own execution holds the process variables, a user task's execution the task's
local variables; each is read and written as under /process-instance/{id}/variables or
/task/{id}/localVariables, with the same rights. Any other activity keeps no variables of
its own here: it reads as empty and refuses a write; a task's local variables are never
File or Bytes, so their content is never found and never uploaded."""
from flask import g, jsonify

from app.core.errors import BadRequest, NotFound
from app.platform import executions

from . import blueprint, context, instance_variables, params, task_local_variables

PATH = "/execution/<execution_id>/localVariables"


@blueprint.get(PATH)
def get_execution_variables(execution_id):
    params.known_only("deserializeValues")
    return _in_scope(execution_id, instance_variables.get_variables, task_local_variables.get_local_variables,
                     absent=_none_kept)


@blueprint.post(PATH)
def modify_execution_variables(execution_id):
    return _in_scope(execution_id, instance_variables.modify_variables, task_local_variables.modify_local_variables)


@blueprint.get(f"{PATH}/<name>")
def get_execution_variable(execution_id, name):
    params.known_only("deserializeValue")
    return _in_scope(execution_id, instance_variables.get_variable, task_local_variables.get_local_variable, name,
                     absent=_not_found)


@blueprint.put(f"{PATH}/<name>")
def put_execution_variable(execution_id, name):
    return _in_scope(execution_id, instance_variables.put_variable, task_local_variables.put_local_variable, name)


@blueprint.delete(f"{PATH}/<name>")
def delete_execution_variable(execution_id, name):
    return _in_scope(execution_id, instance_variables.delete_variable, task_local_variables.delete_local_variable,
                     name)


@blueprint.get(f"{PATH}/<name>/data")
def get_execution_variable_data(execution_id, name):
    params.known_only()
    return _in_scope(execution_id, instance_variables.get_variable_data, None, name, absent=_not_found)


@blueprint.post(f"{PATH}/<name>/data")
def post_execution_variable_data(execution_id, name):
    return _in_scope(execution_id, instance_variables.post_variable_data, None, name)


def _in_scope(execution_id: str, of_instance, of_task, *names: str, absent=None):
    """Answer as the execution's scope answers; where it has no such variables, `absent`
    answers (by default a write there is refused). A read checks its query parameters
    before the execution is looked up, as every read does."""
    ctx = context()
    with ctx.db.read() as session:
        scope = executions.variable_scope(ctx, session, g.actor, execution_id)
    handler = {"instance": of_instance, "task": of_task}.get(scope)
    if handler is not None:
        return handler(execution_id, *names)
    return (absent or _refused)(execution_id, *names)


def _none_kept(_execution_id: str):
    return jsonify({})


def _not_found(_execution_id: str, name: str):
    raise NotFound(f"没有局部变量 {name} / variable with name {name} does not exist")


def _refused(execution_id: str, *_names: str):
    raise BadRequest(f"执行 {execution_id} 不保存这类局部变量 / execution {execution_id} keeps no such local variables",
                     [{"field": "executionId", "message": "该执行不保存这类局部变量"}])
