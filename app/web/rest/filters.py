"""Camunda's filters: saved task queries listed, kept and run (`app/platform/task_filters.py`
decides who reads and keeps each). A filter's query is Camunda's task query JSON, as
`POST /task` takes it, plus the expressions Camunda's default filters use:
`assigneeExpression`, `ownerExpression`, `candidateUserExpression` as `${currentUser()}` and
`candidateGroupsExpression` as `${currentUserGroups()}`, read as the user who runs it."""
import json

from flask import Response, g, jsonify, request

from app.core.errors import BadRequest
from app.core.identity import Actor, candidate_names
from app.core.paging import Page
from app.platform import queries, task_filters

from . import blueprint, context, params, query_input, shapes, sorting

LIST_FILTERS = ("filterId", "resourceType", "name", "nameLike", "owner")
# The expressions a filter's query may use: (the criterion it stands for, its only text).
EXPRESSIONS = {
    "assigneeExpression": ("assignee", "${currentUser()}"),
    "ownerExpression": ("owner", "${currentUser()}"),
    "candidateUserExpression": ("candidateUser", "${currentUser()}"),
    "candidateGroupsExpression": ("candidateGroups", "${currentUserGroups()}"),
}


@blueprint.get("/filter")
def list_filters():
    params.known_only(*LIST_FILTERS, "itemCount", *sorting.PARAMETERS, *params.PAGING)
    sort = sorting.sort_arg(tuple(task_filters.SORTS), "filterId")
    counted = bool(params.bool_arg("itemCount"))
    page = params.page()
    with context().db.read() as session:
        found = task_filters.list_filters(session, g.actor, _wanted(), sort, page)
        return jsonify([_shaped(session, f, counted) for f in found])


@blueprint.get("/filter/count")
def count_filters():
    params.known_only(*LIST_FILTERS)
    with context().db.read() as session:
        return jsonify({"count": task_filters.count_filters(session, g.actor, _wanted())})


@blueprint.post("/filter/create")
def create_filter():
    params.known_only()
    given = _input(params.json_body())
    ctx = context()
    with ctx.db.command() as session:
        row = task_filters.create_filter(ctx, session, g.actor, given)
        return jsonify(_shaped(session, row, False))


@blueprint.get("/filter/<filter_id>")
def get_filter(filter_id):
    params.known_only("itemCount")
    counted = bool(params.bool_arg("itemCount"))
    with context().db.read() as session:
        return jsonify(_shaped(session, task_filters.get_filter(session, g.actor, filter_id), counted))


@blueprint.put("/filter/<filter_id>")
def update_filter(filter_id):
    params.known_only()
    given = _input(params.json_body())
    ctx = context()
    with ctx.db.command() as session:
        task_filters.update_filter(ctx, session, g.actor, filter_id, given)
    return "", 204


@blueprint.delete("/filter/<filter_id>")
def delete_filter(filter_id):
    params.known_only()
    ctx = context()
    with ctx.db.command() as session:
        task_filters.delete_filter(ctx, session, g.actor, filter_id)
    return "", 204


@blueprint.get("/filter/<filter_id>/list")
def run_filter(filter_id):
    params.known_only(*params.PAGING)
    return _listed(filter_id, None)


@blueprint.post("/filter/<filter_id>/list")
def run_extended_filter(filter_id):
    params.known_only(*params.PAGING)
    return _listed(filter_id, params.json_body())


@blueprint.get("/filter/<filter_id>/count")
def count_filter(filter_id):
    params.known_only()
    return _counted(filter_id, None)


@blueprint.post("/filter/<filter_id>/count")
def count_extended_filter(filter_id):
    params.known_only()
    return _counted(filter_id, params.json_body())


@blueprint.get("/filter/<filter_id>/singleResult")
def single_result(filter_id):
    params.known_only()
    return _single(filter_id, None)


@blueprint.post("/filter/<filter_id>/singleResult")
def single_extended_result(filter_id):
    params.known_only()
    return _single(filter_id, params.json_body())


def _listed(filter_id: str, extension: dict | None):
    page = params.page()
    with context().db.read() as session:
        q = _query_of(session, filter_id, extension)
        return jsonify([shapes.task(t) for t in queries.list_tasks(session, g.actor, q, page)])


def _counted(filter_id: str, extension: dict | None):
    with context().db.read() as session:
        return jsonify({"count": queries.count_tasks(session, g.actor, _query_of(session, filter_id, extension))})


def _single(filter_id: str, extension: dict | None):
    """The filter's one task (204 when none); more than one is the client's mistake."""
    with context().db.read() as session:
        found = queries.list_tasks(session, g.actor, _query_of(session, filter_id, extension), Page(0, 2))
    if len(found) > 1:
        raise BadRequest("过滤器的结果多于一条 / Query return more than one result instead of max 1")
    return jsonify(shapes.task(found[0])) if found else Response(status=204)


def _query_of(session, filter_id: str, extension: dict | None):
    """The filter's query as the caller runs it, extended (and overridden) by `extension`."""
    stored = task_filters.get_filter(session, g.actor, filter_id)
    return _task_query(_stored_query(stored), g.actor, extension)


def _stored_query(row) -> dict:
    return json.loads(row.query_json)


def _task_query(query: dict, actor: Actor, extension: dict | None = None):
    body = dict(query)
    for name, (criterion, text) in EXPRESSIONS.items():
        if name not in body:
            continue
        if not isinstance(body[name], str) or body[name].replace(" ", "") != text:
            raise BadRequest(f"{name} 只能是 {text} / {name} may only be {text}",
                             [{"field": name, "message": f"只能是 {text}"}])
        body.pop(name)
        body[criterion] = (sorted(candidate_names(actor.organization_id, actor.groups))
                           if criterion == "candidateGroups" else actor.id)
    return query_input.from_json(queries.TASK_CRITERIA, queries.TASK_SORTS, {**body, **(extension or {})})


def _input(body: dict) -> task_filters.FilterInput:
    params.known_fields(body, "resourceType", "name", "owner", "query", "properties")
    task_filters.check_input(body.get("resourceType"), body.get("name"), body.get("properties", {}))
    query = body.get("query", {})
    if not isinstance(query, dict):
        raise BadRequest("query 应为对象 / query must be an object", [{"field": "query", "message": "应为对象"}])
    owner = body.get("owner")
    if owner is not None and not isinstance(owner, str):
        raise BadRequest("owner 应为用户名 / owner must be a user id", [{"field": "owner", "message": "应为用户名"}])
    _task_query(query, g.actor)  # refuses a query /task would refuse, naming its field
    return task_filters.FilterInput(body["resourceType"], body["name"], owner, "owner" in body, query,
                                    body.get("properties", {}))


def _wanted() -> task_filters.FilterWanted:
    args = request.args
    return task_filters.FilterWanted(id=args.get("filterId"), resource_type=args.get("resourceType"),
                                     name=args.get("name"), name_like=args.get("nameLike"), owner=args.get("owner"))


def _shaped(session, row, counted: bool) -> dict:
    shaped = {"id": row.id, "resourceType": row.resource_type, "name": row.name, "owner": row.owner,
              "query": _stored_query(row), "properties": json.loads(row.properties_json)}
    if counted:
        shaped["itemCount"] = queries.count_tasks(session, g.actor, _task_query(shaped["query"], g.actor))
    return shaped
