"""History: process instances, activity instances, tasks."""
from flask import g, jsonify, request

from app.core.errors import BadRequest, NotFound
from app.core.paging import Page
from app.platform import history_queries, queries
from app.platform.query_criteria import Query
from app.platform.instance_store import definition_of

from . import blueprint, context, params, query_input, shapes


@blueprint.get("/history/process-instance")
def historic_instances():
    return _listed_instances(query_input.from_args(history_queries.INSTANCE_CRITERIA,
                                                   history_queries.INSTANCE_SORTS))


@blueprint.post("/history/process-instance")
def query_historic_instances():
    return _listed_instances(query_input.from_body(history_queries.INSTANCE_CRITERIA,
                                                   history_queries.INSTANCE_SORTS))


@blueprint.get("/history/process-instance/count")
def count_historic_instances():
    return _counted(history_queries.historic_instances_query,
                    query_input.from_args(history_queries.INSTANCE_CRITERIA))


@blueprint.post("/history/process-instance/count")
def count_queried_historic_instances():
    return _counted(history_queries.historic_instances_query,
                    query_input.from_body(history_queries.INSTANCE_CRITERIA, history_queries.INSTANCE_SORTS,
                                           paged=False))


@blueprint.get("/history/process-instance/<instance_id>")
def historic_instance(instance_id):
    """One instance, running or ended, as the history list shows it; 404 when the actor may
    not read it, as for an instance that is not there."""
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        found = history_queries.historic_instances(session, g.actor, Query({"processInstanceId": instance_id}),
                                                   Page(0, 1))
        if not found:
            raise NotFound(f"历史流程实例 {instance_id} 不存在或无权查看 / "
                           f"Historic process instance with id {instance_id} does not exist")
        return jsonify(shapes.historic_instance(found[0], definition_of(ctx, session, found[0].definition_id)))


def _listed_instances(q):
    page = params.page()
    ctx = context()
    with ctx.db.read() as session:
        return jsonify([shapes.historic_instance(i, definition_of(ctx, session, i.definition_id))
                        for i in history_queries.historic_instances(session, g.actor, q, page)])


def _counted(query_of, q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *query_of(g.actor, q))})


ACTIVITY_FILTERS = ("processInstanceId", "processDefinitionId", "activityId", "activityType", "finished",
                    "unfinished", "canceled", "sortBy", "sortOrder")


@blueprint.get("/history/activity-instance")
def historic_activities():
    params.known_only(*ACTIVITY_FILTERS, "firstResult", "maxResults")
    f = _activity_filter()
    with context().db.read() as session:
        rows = queries.historic_activities(session, g.actor, f, params.page())
        return jsonify([shapes.historic_activity(a) for a in rows])


@blueprint.get("/history/activity-instance/count")
def count_historic_activities():
    params.known_only(*ACTIVITY_FILTERS)
    f = _activity_filter()
    with context().db.read() as session:
        return jsonify({"count": queries.count_historic_activities(session, g.actor, f)})


@blueprint.get("/history/activity-instance/<activity_instance_id>")
def historic_activity(activity_instance_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.historic_activity(queries.historic_activity(session, g.actor, activity_instance_id)))


def _activity_filter() -> queries.ActivityFilter:
    """Camunda's query parameters: `finished`/`unfinished` true narrow to ended or running
    activities (both: none), `sortBy` with `sortOrder` (by default by start time)."""
    args = request.args
    finished, unfinished = params.bool_arg("finished"), params.bool_arg("unfinished")
    [(sort_by, descending)] = query_input.sorting(queries.ACTIVITY_SORTS) or [("startTime", False)]
    if finished and unfinished:
        raise BadRequest("finished 与 unfinished 不能同时为 true / finished and unfinished exclude each other",
                         [{"field": "unfinished", "message": "不能与 finished 同时为 true"}])
    done = True if finished else (False if unfinished else None)
    return queries.ActivityFilter(
        instance_id=args.get("processInstanceId"), definition_id=args.get("processDefinitionId"),
        activity_id=args.get("activityId"), activity_type=args.get("activityType"), finished=done,
        canceled=params.bool_arg("canceled"), sort_by=sort_by, descending=descending,
    )


@blueprint.get("/history/task")
def historic_tasks():
    return _listed_tasks(query_input.from_args(history_queries.TASK_CRITERIA, history_queries.TASK_SORTS))


@blueprint.post("/history/task")
def query_historic_tasks():
    return _listed_tasks(query_input.from_body(history_queries.TASK_CRITERIA, history_queries.TASK_SORTS))


@blueprint.get("/history/task/count")
def count_historic_tasks():
    return _counted(history_queries.historic_tasks_query, query_input.from_args(history_queries.TASK_CRITERIA))


@blueprint.post("/history/task/count")
def count_queried_historic_tasks():
    return _counted(history_queries.historic_tasks_query,
                    query_input.from_body(history_queries.TASK_CRITERIA, history_queries.TASK_SORTS, paged=False))


def _listed_tasks(q):
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.historic_task(t) for t in history_queries.historic_tasks(session, g.actor, q, page)])
