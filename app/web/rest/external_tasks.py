"""External tasks: fetch and lock, complete, failure, BPMN error, locks, retries, priority,
and the list, count and one task (Camunda 7's /external-task)."""
from flask import Response, g, jsonify

from app.core.errors import BadRequest
from app.platform import external_task_queries, external_tasks, variable_files, variables
from app.platform.external_task_requests import fetch_request

from . import blueprint, context, params
from .external_task_filters import FILTERS, SORTING, from_body, from_query
from .external_task_shapes import external_task, locked
from .shapes import batch


@blueprint.post("/external-task/fetchAndLock")
def external_fetch_and_lock():
    found = external_tasks.fetch_and_lock(context(), g.actor, fetch_request(params.json_body()))
    return jsonify([locked(f) for f in found])


@blueprint.get("/external-task")
def list_external_tasks():
    params.known_only(*FILTERS, *SORTING, *params.PAGING)
    return _list(from_query())


@blueprint.post("/external-task")
def query_external_tasks():
    params.known_only(*params.PAGING)
    return _list(from_body(params.json_body()))


@blueprint.get("/external-task/count")
def count_external_tasks():
    params.known_only(*FILTERS)
    return _count(from_query())


@blueprint.post("/external-task/count")
def query_external_task_count():
    params.known_only()
    return _count(from_body(params.json_body()))


def _list(query):
    ctx = context()
    with ctx.db.read() as session:
        rows = external_task_queries.list_tasks(session, g.actor, query, ctx.now(), params.page())
        return jsonify([external_task(t) for t in rows])


def _count(query):
    ctx = context()
    with ctx.db.read() as session:
        return jsonify({"count": external_task_queries.count_tasks(session, g.actor, query, ctx.now())})


@blueprint.get("/external-task/topic-names")
def external_topic_names():
    params.known_only("withLockedTasks", "withUnlockedTasks", "withRetriesLeft")
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(external_task_queries.topic_names(
            session, g.actor, ctx.now(), params.bool_arg("withLockedTasks") is True,
            params.bool_arg("withUnlockedTasks") is True, params.bool_arg("withRetriesLeft") is True))


@blueprint.get("/external-task/<task_id>")
def get_external_task(task_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(external_task(external_task_queries.get_task(session, g.actor, task_id)))


@blueprint.get("/external-task/<task_id>/errorDetails")
def external_error_details(task_id):
    params.known_only()
    with context().db.read() as session:
        details = external_task_queries.error_details(session, g.actor, task_id)
    return Response(details, mimetype="text/plain")


@blueprint.post("/external-task/<task_id>/complete")
def external_complete(task_id):
    body = params.json_body()
    # `localVariables` are checked alike and end with the task (external_tasks.complete).
    variables.from_camunda(body.get("localVariables"), binaries=True)
    return _with_variables(external_tasks.complete, task_id, body)


@blueprint.post("/external-task/<task_id>/bpmnError")
def external_bpmn_error(task_id):
    return _with_variables(external_tasks.bpmn_error, task_id, params.json_body())


@blueprint.post("/external-task/<task_id>/failure")
def external_failure(task_id):
    return _command(external_tasks.failure, task_id, params.json_body())


@blueprint.post("/external-task/<task_id>/extendLock")
def external_extend_lock(task_id):
    return _command(external_tasks.extend_lock, task_id, params.json_body())


@blueprint.post("/external-task/<task_id>/lock")
def external_lock(task_id):
    return _command(external_tasks.lock, task_id, params.json_body())


@blueprint.post("/external-task/<task_id>/unlock")
def external_unlock(task_id):
    return _command(external_tasks.unlock, task_id)


@blueprint.put("/external-task/<task_id>/retries")
def external_set_retries(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        external_tasks.set_retries(ctx, session, g.actor, [task_id], body.get("retries"))
    return "", 204


@blueprint.put("/external-task/retries")
def external_set_retries_of_many():
    body = _retries_body()
    ctx = context()
    with ctx.db.command() as session:
        task_ids = external_tasks.task_ids_of(session, body)
        external_tasks.set_retries(ctx, session, g.actor, task_ids, body.get("retries"))
    return "", 204


@blueprint.post("/external-task/retries-async")
def external_set_retries_async():
    body = _retries_body()
    ctx = context()
    with ctx.db.command() as session:
        done = external_tasks.set_retries_in_batch(ctx, session, g.actor, body)
    return jsonify(batch(done))


def _retries_body() -> dict:
    """The tasks named by id or by instance; Camunda's queries in the body are refused by name."""
    body = params.json_body()
    unsupported = sorted(set(body) - {"retries", "externalTaskIds", "processInstanceIds"})
    if unsupported:
        raise BadRequest(f"不支持的字段 {unsupported[0]} / unsupported field {unsupported[0]}",
                         [{"field": unsupported[0], "message": "不支持的字段"}])
    return body


@blueprint.put("/external-task/<task_id>/priority")
def external_set_priority(task_id):
    return _command(external_tasks.set_priority, task_id, params.json_body().get("priority"))


def _command(action, task_id, *args):
    ctx = context()
    with ctx.db.command() as session:
        action(ctx, session, g.actor, task_id, *args)
    return "", 204


def _with_variables(action, task_id, body: dict):
    """A report that sets `variables`: File and Bytes ones kept beside the instance."""
    values, types = variables.from_camunda(body.get("variables"), binaries=True)
    binaries = variables.take_binaries(values, types)
    ctx = context()
    with ctx.db.command() as session:
        instance_id = action(ctx, session, g.actor, task_id, body, values, types)
        variable_files.keep(ctx, session, instance_id, binaries)
    return "", 204
