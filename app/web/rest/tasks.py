"""Tasks: list, get, claim, unclaim, complete, form variables, the deployed form."""
from flask import Response, g, jsonify, request

from app.platform import queries, task_errors, user_tasks, variable_files, variables

from . import blueprint, context, params, query_input, shapes


@blueprint.get("/task")
def list_tasks():
    return _listed(query_input.from_args(queries.TASK_CRITERIA, queries.TASK_SORTS))


@blueprint.post("/task")
def query_tasks():
    return _listed(query_input.from_body(queries.TASK_CRITERIA, queries.TASK_SORTS))


@blueprint.get("/task/count")
def count_tasks():
    return _counted(query_input.from_args(queries.TASK_CRITERIA))


@blueprint.post("/task/count")
def count_queried_tasks():
    return _counted(query_input.from_body(queries.TASK_CRITERIA, queries.TASK_SORTS, paged=False))


def _listed(q):
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.task(t) for t in queries.list_tasks(session, g.actor, q, page)])


def _counted(q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_tasks(session, g.actor, q)})


@blueprint.get("/task/report/candidate-group-count")
def candidate_group_count():
    params.known_only()
    with context().db.read() as session:
        counts = queries.task_count_by_candidate_group(session, g.actor)
    return jsonify([{"groupName": group, "taskCount": count} for group, count in counts])


@blueprint.get("/task/<task_id>")
def get_task(task_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.task(user_tasks.get_task(session, g.actor, task_id)))


@blueprint.post("/task/<task_id>/claim")
def claim(task_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        user_tasks.claim(ctx, session, g.actor, task_id, body.get("userId", g.actor.id))
    return "", 204


@blueprint.post("/task/<task_id>/unclaim")
def unclaim(task_id):
    ctx = context()
    with ctx.db.command() as session:
        user_tasks.unclaim(ctx, session, g.actor, task_id)
    return "", 204


@blueprint.post("/task/<task_id>/complete")
@blueprint.post("/task/<task_id>/submit-form")
def complete(task_id):
    """Camunda's complete and its form's submit alike: the step's form checks the variables
    either way."""
    body = params.json_body()
    values, types = variables.from_camunda(body.get("variables"), binaries=True)
    binaries = variables.take_binaries(values, types)
    ctx = context()
    with ctx.db.command() as session:
        instance_id = user_tasks.complete(ctx, session, g.actor, task_id, values, types)
        variable_files.keep(ctx, session, instance_id, binaries)
    if body.get("withVariablesInReturn"):
        with ctx.db.read() as session:
            shown, types = user_tasks.variables_after(session, g.actor, task_id)
        return jsonify(variables.to_camunda(shown, types))
    return "", 204


@blueprint.post("/task/<task_id>/bpmnError")
def bpmn_error(task_id):
    body = params.json_body()
    params.known_fields(body, "errorCode", "errorMessage", "variables")
    values, types = variables.from_camunda(body.get("variables"))
    ctx = context()
    with ctx.db.command() as session:
        task_errors.bpmn_error(ctx, session, g.actor, task_id, body, values, types)
    return "", 204


@blueprint.get("/task/<task_id>/form-variables")
def form_variables(task_id):
    params.known_only("variableNames", "deserializeValues")
    ctx = context()
    with ctx.db.read() as session:
        form = user_tasks.form_of(ctx, session, g.actor, task_id)
    values = form["values"]
    schema = form["schema"] or {}
    names = list((schema.get("properties") or {}).keys()) or list(values)
    wanted = request.args.get("variableNames")
    if wanted:
        names = [n for n in names if n in wanted.split(",")]
    return jsonify(variables.to_camunda({n: values.get(n) for n in names}, None,
                                        params.bool_arg("deserializeValues") is not False))


@blueprint.get("/task/<task_id>/form")
def form(task_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        found = user_tasks.form_of(ctx, session, g.actor, task_id)
    return jsonify({"key": found["key"], "contextPath": None, "schema": found["schema"],
                    "ui": found["ui"], "version": found.get("version")})


@blueprint.get("/task/<task_id>/deployed-form")
def deployed_form(task_id):
    """The task's form as deployed (its JSON Schema): what a client renders it from."""
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        schema = user_tasks.deployed_form(ctx, session, g.actor, task_id)
    return Response(schema, mimetype="application/json")
