"""Jobs and incidents: list, execute a job now, set retries."""
from flask import g, jsonify, request

from app.services import jobs as job_service
from app.services import queries
from app.services.authorization import require_admin
from app.services.errors import BadRequest

from . import blueprint, context, params, shapes


@blueprint.get("/job")
def list_jobs():
    with context().db.read() as session:
        rows = queries.list_jobs(session, g.actor, request.args.get("processInstanceId"), params.page())
        return jsonify([shapes.job(j) for j in rows])


@blueprint.post("/job/<job_id>/execute")
def execute_job(job_id):
    if not g.actor.in_any({"admin", "department"}):
        require_admin(g.actor)
    job_service.run_job(context(), job_id, forced=True)
    return "", 204


@blueprint.put("/job/<job_id>/retries")
def set_retries(job_id):
    require_admin(g.actor)
    retries = params.json_body().get("retries")
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise BadRequest("retries 应为非负整数 / retries must be a non-negative integer")
    ctx = context()
    with ctx.db.command() as session:
        job_service.set_retries(ctx, session, job_id, retries)
    return "", 204


@blueprint.get("/incident")
def list_incidents():
    with context().db.read() as session:
        rows = queries.list_incidents(session, g.actor, request.args.get("processInstanceId"), params.page())
        return jsonify([shapes.incident(i) for i in rows])
