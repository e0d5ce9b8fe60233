"""Camunda's historic job log: what happened to each job (created, failed, successful,
deleted), listed and counted by query string or JSON body, one entry by id, and the
stacktrace of a failure."""
from flask import Response, g, jsonify

from app.clock import format_camunda as when
from app.platform import job_log, queries

from . import blueprint, context, params, query_input

CRITERIA, SORTS = job_log.CRITERIA, job_log.SORTS


@blueprint.get("/history/job-log")
def job_log_entries():
    return _listed(query_input.from_args(CRITERIA, SORTS))


@blueprint.post("/history/job-log")
def queried_job_log_entries():
    return _listed(query_input.from_body(CRITERIA, SORTS))


@blueprint.get("/history/job-log/count")
def count_job_log_entries():
    return _counted(query_input.from_args(CRITERIA))


@blueprint.post("/history/job-log/count")
def count_queried_job_log_entries():
    return _counted(query_input.from_body(CRITERIA, SORTS, paged=False))


@blueprint.get("/history/job-log/<log_id>")
def job_log_entry(log_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(_shaped(ctx, session, job_log.entry(session, g.actor, log_id)))


@blueprint.get("/history/job-log/<log_id>/stacktrace")
def job_log_stacktrace(log_id):
    params.known_only()
    with context().db.read() as session:
        message = job_log.entry(session, g.actor, log_id).exception_message
    return Response(message or "", mimetype="text/plain")


def _listed(q):
    page = params.page()
    ctx = context()
    with ctx.db.read() as session:
        return jsonify([_shaped(ctx, session, e) for e in job_log.entries(session, g.actor, q, page)])


def _counted(q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *job_log.entries_query(g.actor, q))})


def _shaped(ctx, session, e) -> dict:
    failed = e.state == job_log.FAILED
    return {
        "id": e.id, "timestamp": when(e.occurred_at), "removalTime": None, "jobId": e.job_id,
        "jobDueDate": when(e.due_at), "jobRetries": e.retries, "jobPriority": 0,
        "jobExceptionMessage": e.exception_message.splitlines()[0] if e.exception_message else None,
        "failedActivityId": e.activity_id if failed else None,
        "jobDefinitionId": f"{e.process_key}:{e.activity_id}:{e.job_type}",
        "jobDefinitionType": job_log.definition_type(ctx, session, e), "jobDefinitionConfiguration": None,
        "activityId": e.activity_id, "executionId": e.execution_id, "processInstanceId": e.instance_id,
        "processDefinitionId": e.definition_id, "processDefinitionKey": e.process_key, "deploymentId": None,
        "rootProcessInstanceId": e.instance_id, "tenantId": None, "hostname": e.hostname,
        "creationLog": e.state == job_log.CREATED, "failureLog": failed,
        "successLog": e.state == job_log.SUCCESSFUL, "deletionLog": e.state == job_log.DELETED,
    }
