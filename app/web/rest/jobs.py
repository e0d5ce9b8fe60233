"""Jobs and incidents: list, execute a job now, set retries, set the due date; incidents
open and resolved (their history)."""
from flask import Response, g, jsonify

from app.platform import incident_notes, instance_operations, job_suspension
from app.platform import jobs as job_service
from app.platform import queries

from . import blueprint, context, params, query_input, shapes


@blueprint.get("/job")
def list_jobs():
    return _listed_jobs(query_input.from_args(queries.JOB_CRITERIA, queries.JOB_SORTS))


@blueprint.post("/job")
def query_jobs():
    return _listed_jobs(query_input.from_body(queries.JOB_CRITERIA, queries.JOB_SORTS))


def _listed_jobs(q):
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.job(j) for j in queries.list_jobs(session, g.actor, q, page)])


@blueprint.get("/job/count")
def count_jobs():
    return _counted_jobs(query_input.from_args(queries.JOB_CRITERIA))


@blueprint.post("/job/count")
def count_queried_jobs():
    return _counted_jobs(query_input.from_body(queries.JOB_CRITERIA, queries.JOB_SORTS, paged=False))


def _counted_jobs(q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.jobs_query(g.actor, q))})


@blueprint.get("/job/<job_id>")
def get_job(job_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.job(queries.job_of(session, g.actor, job_id)))


@blueprint.get("/job/<job_id>/stacktrace")
def job_stacktrace(job_id):
    """The whole failure the job last met (the list shows its first line); empty when its
    last run did not fail."""
    params.known_only()
    with context().db.read() as session:
        failure = queries.job_of(session, g.actor, job_id).exception_message
    return Response(failure or "", mimetype="text/plain")


@blueprint.put("/job/<job_id>/suspended")
def suspend_job(job_id):
    body = params.json_body()
    params.known_fields(body, "suspended")
    ctx = context()
    with ctx.db.command() as session:
        job_suspension.suspend_one(ctx, session, g.actor, job_id, body.get("suspended"))
    return "", 204


@blueprint.put("/job/suspended")
def suspend_jobs():
    body = params.json_body()
    params.known_fields(body, "suspended", "jobDefinitionId", "processDefinitionId", "processDefinitionKey",
                        "processInstanceId")
    ctx = context()
    with ctx.db.command() as session:
        job_suspension.suspend_group(ctx, session, g.actor, body)
    return "", 204


@blueprint.post("/job/<job_id>/execute")
def execute_job(job_id):
    job_service.execute_now(context(), g.actor, job_id)
    return "", 204


@blueprint.put("/job/<job_id>/retries")
def set_retries(job_id):
    retries = params.json_body().get("retries")
    ctx = context()
    with ctx.db.command() as session:
        job_service.set_retries(ctx, session, g.actor, job_id, retries)
    return "", 204


@blueprint.put("/job/<job_id>/duedate")
def set_due_date(job_id):
    body = params.json_body()
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.set_job_due_date(ctx, session, g.actor, job_id, body.get("duedate"),
                                             body.get("reason"))
    return "", 204


@blueprint.post("/job/<job_id>/duedate/recalculate")
def recalculate_due_date(job_id):
    params.known_only("creationDateBased")
    based = params.bool_arg("creationDateBased")
    ctx = context()
    with ctx.db.command() as session:
        instance_operations.recalculate_job_due_date(ctx, session, g.actor, job_id, based is not False)
    return "", 204


@blueprint.get("/incident")
def list_incidents():
    q = query_input.from_args(queries.INCIDENT_CRITERIA, queries.INCIDENT_SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([shapes.incident(i) for i in queries.list_incidents(session, g.actor, q, page)])


@blueprint.get("/incident/count")
def count_incidents():
    q = query_input.from_args(queries.INCIDENT_CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.incidents_query(g.actor, q))})


@blueprint.get("/incident/<incident_id>")
def get_incident(incident_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(shapes.incident(queries.open_incident(session, g.actor, incident_id)))


@blueprint.put("/incident/<incident_id>/annotation")
def annotate_incident(incident_id):
    body = params.json_body()
    params.known_fields(body, "annotation")
    ctx = context()
    with ctx.db.command() as session:
        incident_notes.annotate(ctx, session, g.actor, incident_id, body.get("annotation", ""))
    return "", 204


@blueprint.delete("/incident/<incident_id>/annotation")
def clear_incident_annotation(incident_id):
    params.known_only()
    ctx = context()
    with ctx.db.command() as session:
        incident_notes.annotate(ctx, session, g.actor, incident_id, None)
    return "", 204


@blueprint.get("/history/incident")
def list_historic_incidents():
    q = query_input.from_args(queries.HISTORIC_INCIDENT_CRITERIA, queries.HISTORIC_INCIDENT_SORTS)
    page = params.page()
    with context().db.read() as session:
        found = queries.list_historic_incidents(session, g.actor, q, page)
        return jsonify([shapes.historic_incident(i) for i in found])


@blueprint.get("/history/incident/count")
def count_historic_incidents():
    q = query_input.from_args(queries.HISTORIC_INCIDENT_CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *queries.historic_incidents_query(g.actor, q))})
