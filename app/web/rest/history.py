"""History: process instances, activity instances, tasks, and what passed each activity of a definition."""
from flask import g, jsonify

from app.core.errors import BadRequest, NotFound
from app.core.paging import Page
from app.platform import historic_statistics, history_queries, history_reports, queries
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


@blueprint.get("/history/process-instance/report")
def instance_duration_report():
    q = query_input.from_args(history_reports.INSTANCE_REPORT_CRITERIA)
    with context().db.read() as session:
        return jsonify(history_reports.instance_durations(session, g.actor, q))


@blueprint.get("/history/task/report")
def task_report():
    q = query_input.from_args(history_reports.TASK_REPORT_CRITERIA)
    with context().db.read() as session:
        return jsonify(history_reports.task_report(session, g.actor, q))


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


@blueprint.get("/history/activity-instance")
def historic_activities():
    return _listed_activities(query_input.from_args(queries.HISTORIC_ACTIVITY_CRITERIA, queries.ACTIVITY_SORTS))


@blueprint.post("/history/activity-instance")
def query_historic_activities():
    return _listed_activities(query_input.from_body(queries.HISTORIC_ACTIVITY_CRITERIA, queries.ACTIVITY_SORTS))


@blueprint.get("/history/activity-instance/count")
def count_historic_activities():
    return _counted(queries.historic_activities_query,
                    _either_end(query_input.from_args(queries.HISTORIC_ACTIVITY_CRITERIA)))


@blueprint.post("/history/activity-instance/count")
def count_queried_historic_activities():
    return _counted(queries.historic_activities_query, _either_end(query_input.from_body(
        queries.HISTORIC_ACTIVITY_CRITERIA, queries.ACTIVITY_SORTS, paged=False)))


@blueprint.get("/history/activity-instance/<activity_instance_id>")
def historic_activity(activity_instance_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.historic_activity(queries.historic_activity(session, g.actor, activity_instance_id)))


@blueprint.get("/history/process-definition/<definition_id>/statistics")
def historic_activity_statistics(definition_id):
    """Per activity: activity instances running, and as asked for finished, canceled, ending a
    scope and the incidents met (Camunda answers 0 for a count not asked for)."""
    q = query_input.from_args(historic_statistics.CRITERIA, historic_statistics.SORTS,
                              also=historic_statistics.COUNTS)
    wanted = {name: bool(params.bool_arg(name)) for name in historic_statistics.COUNTS}
    ctx = context()
    with ctx.db.read() as session:
        found = historic_statistics.activity_statistics(ctx, session, g.actor, definition_id, q)
    return jsonify([shapes.historic_activity_statistics(c, wanted) for c in found])


def _listed_activities(q):
    q = _either_end(q)
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.historic_activity(a) for a in queries.historic_activities(session, g.actor, q, page)])


def _either_end(q: Query) -> Query:
    """`finished` and `unfinished` both true would find nothing: a client's mistake."""
    if q.criteria.get("finished") and q.criteria.get("unfinished"):
        raise BadRequest("finished 与 unfinished 不能同时为 true / finished and unfinished exclude each other",
                         [{"field": "unfinished", "message": "不能与 finished 同时为 true"}])
    return q


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
