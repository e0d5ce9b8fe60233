"""Camunda's job definitions: listed, counted and read (query string or JSON body),
suspended or activated (one, or those of a process definition or key), and the retries of
their failed jobs set together; see `platform/job_definitions.py`."""
from flask import g, jsonify

from app.platform import job_definitions

from . import blueprint, context, params, query_input

CRITERIA, SORTS = job_definitions.CRITERIA, job_definitions.SORTS
SUSPENSION = ("suspended", "includeJobs", "executionDate")


@blueprint.get("/job-definition")
def list_job_definitions():
    return _listed(query_input.from_args(CRITERIA, SORTS))


@blueprint.post("/job-definition")
def query_job_definitions():
    return _listed(query_input.from_body(CRITERIA, SORTS))


@blueprint.get("/job-definition/count")
def count_job_definitions():
    return _counted(query_input.from_args(CRITERIA))


@blueprint.post("/job-definition/count")
def count_queried_job_definitions():
    return _counted(query_input.from_body(CRITERIA, SORTS, paged=False))


@blueprint.get("/job-definition/<definition_id>")
def get_job_definition(definition_id):
    params.known_only()
    ctx = context()
    with ctx.db.read() as session:
        return jsonify(_shaped(job_definitions.job_definition(ctx, session, g.actor, definition_id)))


@blueprint.put("/job-definition/suspended")
def suspend_job_definitions():
    body = _body(*SUSPENSION, *job_definitions.GROUPS)
    ctx = context()
    with ctx.db.command() as session:
        _suspend(ctx, session, job_definitions.chosen(ctx, session, g.actor, body), body)
    return "", 204


@blueprint.put("/job-definition/<definition_id>/suspended")
def suspend_job_definition(definition_id):
    body = _body(*SUSPENSION)
    ctx = context()
    with ctx.db.command() as session:
        _suspend(ctx, session, [job_definitions.job_definition(ctx, session, g.actor, definition_id)], body)
    return "", 204


@blueprint.put("/job-definition/<definition_id>/retries")
def set_job_definition_retries(definition_id):
    body = _body("retries")
    ctx = context()
    with ctx.db.command() as session:
        job_definitions.set_retries(ctx, session, g.actor, definition_id, body.get("retries"))
    return "", 204


def _suspend(ctx, session, chosen, body: dict) -> None:
    job_definitions.set_suspended(ctx, session, g.actor, chosen, body.get("suspended"), body.get("includeJobs"),
                                  body.get("executionDate"))


def _body(*fields: str) -> dict:
    params.known_only()
    body = params.json_body()
    params.known_fields(body, *fields)
    return body


def _listed(q):
    page = params.page()
    ctx = context()
    with ctx.db.read() as session:
        found = job_definitions.job_definitions(ctx, session, g.actor, q)
    end = None if page.limit is None else page.offset + page.limit
    return jsonify([_shaped(d) for d in found[page.offset:end]])


def _counted(q):
    ctx = context()
    with ctx.db.read() as session:
        return jsonify({"count": len(job_definitions.job_definitions(ctx, session, g.actor, q))})


def _shaped(d) -> dict:
    return {
        "id": d.id, "processDefinitionId": d.definition_id, "processDefinitionKey": d.process_key,
        "activityId": d.activity_id, "jobType": d.definition_type, "jobConfiguration": d.configuration,
        "overridingJobPriority": None, "suspended": d.suspended, "tenantId": None, "deploymentId": d.deployment_id,
    }
