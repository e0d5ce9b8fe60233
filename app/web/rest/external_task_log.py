"""Camunda's historic external task log: what happened to each external task (created,
failed, successful, deleted), listed and counted by query string or JSON body, one entry
by id, and the error details of a failure."""
from flask import Response, g, jsonify

from app.clock import format_camunda as when
from app.platform import external_task_log, queries

from . import blueprint, context, params, query_input

CRITERIA, SORTS = external_task_log.CRITERIA, external_task_log.SORTS


@blueprint.get("/history/external-task-log")
def external_task_log_entries():
    return _listed(query_input.from_args(CRITERIA, SORTS))


@blueprint.post("/history/external-task-log")
def queried_external_task_log_entries():
    return _listed(query_input.from_body(CRITERIA, SORTS))


@blueprint.get("/history/external-task-log/count")
def count_external_task_log_entries():
    return _counted(query_input.from_args(CRITERIA))


@blueprint.post("/history/external-task-log/count")
def count_queried_external_task_log_entries():
    return _counted(query_input.from_body(CRITERIA, SORTS, paged=False))


@blueprint.get("/history/external-task-log/<log_id>")
def external_task_log_entry(log_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(_shaped(external_task_log.entry(session, g.actor, log_id)))


@blueprint.get("/history/external-task-log/<log_id>/error-details")
def external_task_log_error_details(log_id):
    params.known_only()
    with context().db.read() as session:
        details = external_task_log.entry(session, g.actor, log_id).error_details
    return Response(details or "", mimetype="text/plain")


def _listed(q):
    page = params.page()
    with context().db.read() as session:
        return jsonify([_shaped(e) for e in external_task_log.entries(session, g.actor, q, page)])


def _counted(q):
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *external_task_log.entries_query(g.actor, q))})


def _shaped(e) -> dict:
    return {
        "id": e.id, "timestamp": when(e.occurred_at), "removalTime": None, "externalTaskId": e.external_task_id,
        "topicName": e.topic_name, "workerId": e.worker_id, "priority": e.priority, "retries": e.retries,
        "errorMessage": e.error_message, "activityId": e.activity_id, "activityInstanceId": e.external_task_id,
        "executionId": e.external_task_id, "processInstanceId": e.instance_id,
        "processDefinitionId": e.definition_id, "processDefinitionKey": e.process_key, "tenantId": None,
        "rootProcessInstanceId": e.instance_id,
        "creationLog": e.state == external_task_log.CREATED, "failureLog": e.state == external_task_log.FAILED,
        "successLog": e.state == external_task_log.SUCCESSFUL, "deletionLog": e.state == external_task_log.DELETED,
    }
