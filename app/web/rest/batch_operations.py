"""Camunda's asynchronous operations on many instances or jobs: job retries, suspension,
deletion and one instance's modification. Each runs in the request's own command and
answers its batch done already (`done_batches`); a request that cannot be done in full
changes nothing."""
from flask import g, jsonify

from app.core.errors import BadRequest
from app.platform import done_batches, instance_operations, instance_suspension, jobs, queries
from app.platform.process_instances import delete_instances

from . import blueprint, context, params, query_input
from .instance_choice import chosen_instance_ids
from .shapes import batch

INSTANCES = ("processInstanceIds", "processInstanceQuery")


@blueprint.post("/job/retries")
def set_job_retries_async():
    body = _body("jobIds", "jobQuery", *INSTANCES, "retries", "dueDate")
    return _done("set-job-retries", lambda ctx, session: jobs.set_retries_of_many(
        ctx, session, g.actor, _job_ids(session, body), body.get("retries"), _due(body)))


@blueprint.post("/process-instance/job-retries")
def set_instance_job_retries_async():
    body = _body(*INSTANCES, "retries", "dueDate")
    return _done("set-job-retries", lambda ctx, session: jobs.set_retries_of_many(
        ctx, session, g.actor, jobs.job_ids_of_instances(session, _instance_ids(session, body)),
        body.get("retries"), _due(body)))


@blueprint.post("/process-instance/suspended-async")
def suspend_instances_async():
    body = _body(*INSTANCES, "suspended")

    def suspend(ctx, session) -> int:
        chosen = _instance_ids(session, body)
        instance_suspension.suspend_group(ctx, session, g.actor,
                                          {"suspended": body.get("suspended"), "processInstanceIds": chosen})
        return len(chosen)
    return _done("instance-update-suspension-state", suspend)


@blueprint.post("/process-instance/delete")
def delete_instances_async():
    body = _body(*INSTANCES, "deleteReason", "skipCustomListeners", "skipSubprocesses", "skipIoMappings",
                 "failIfNotExists")
    params.boolean_fields(body, "skipCustomListeners", "skipSubprocesses", "skipIoMappings", "failIfNotExists")
    reason = body.get("deleteReason")
    if reason is not None and not isinstance(reason, str):
        raise _wrong("deleteReason", "应为文本", "must be a text")
    return _done("instance-deletion", lambda ctx, session: delete_instances(
        ctx, session, g.actor, _instance_ids(session, body), reason, body.get("failIfNotExists", True)))


@blueprint.post("/process-instance/<instance_id>/modification-async")
def modify_one_async(instance_id):
    body = _body("instructions", "skipCustomListeners", "skipIoMappings", "annotation")
    params.boolean_fields(body, "skipCustomListeners", "skipIoMappings")

    def modify(ctx, session) -> int:
        instance_operations.move_token(ctx, session, g.actor, instance_id, body.get("instructions"),
                                       body.get("annotation"))
        return 1
    return _done("process-instance-modification", modify)


def _body(*fields: str) -> dict:
    params.known_only()
    body = params.json_body()
    params.known_fields(body, *fields)
    return body


def _done(batch_type: str, operation):
    """Run `operation` (returning how many it did) in one command; answer its done batch."""
    ctx = context()
    started = ctx.now()
    with ctx.db.command() as session:
        done = done_batches.keep(ctx, session, g.actor, batch_type, operation(ctx, session), started)
    return jsonify(batch(done))


def _instance_ids(session, body: dict) -> list[str]:
    chosen = chosen_instance_ids(session, body)
    if not chosen:
        raise _wrong("processInstanceIds", "未指定任何运行中的流程实例", "no running process instance is named")
    return chosen


def _job_ids(session, body: dict) -> list[str]:
    named = body.get("jobIds") or []
    if not isinstance(named, list) or not all(isinstance(v, str) for v in named):
        raise _wrong("jobIds", "应为作业 id 的数组", "must be an array of job ids")
    found = list(named)
    if body.get("jobQuery") is not None:
        if not isinstance(body["jobQuery"], dict):
            raise _wrong("jobQuery", "应为查询对象", "must be a query object")
        found += queries.job_ids(session, g.actor, query_input.from_json(
            queries.JOB_CRITERIA, queries.JOB_SORTS, body["jobQuery"]))
    if any(body.get(name) is not None for name in INSTANCES):
        found += jobs.job_ids_of_instances(session, _instance_ids(session, body))
    return found


def _due(body: dict):
    text = body.get("dueDate")
    if text is None:
        return None
    if not isinstance(text, str):
        raise _wrong("dueDate", "不是有效的日期", "not a valid date")
    return query_input.client_date("dueDate", text)


def _wrong(field: str, zh: str, en: str) -> BadRequest:
    return BadRequest(f"{field} {zh} / {field} {en}", [{"field": field, "message": zh}])
