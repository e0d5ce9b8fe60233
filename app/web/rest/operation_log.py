"""Camunda's user operation log: who did what to which deployment, definition, instance,
task, job or user, listed and counted, and an operator's annotation on an entry."""
from flask import g, jsonify

from app.clock import format_camunda as when
from app.platform import operation_log, queries

from . import blueprint, context, params, query_input


@blueprint.get("/history/user-operation")
def user_operations():
    q = query_input.from_args(operation_log.CRITERIA, operation_log.SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([_shaped(o) for o in operation_log.operations(session, g.actor, q, page)])


@blueprint.get("/history/user-operation/count")
def count_user_operations():
    q = query_input.from_args(operation_log.CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *operation_log.operations_query(g.actor, q))})


@blueprint.put("/history/user-operation/<operation_id>/set-annotation")
def annotate_user_operation(operation_id):
    params.known_only()
    body = params.json_body()
    params.known_fields(body, "annotation")
    ctx = context()
    with ctx.db.command() as session:
        operation_log.set_annotation(ctx, session, g.actor, operation_id, body.get("annotation"))
    return "", 204


@blueprint.put("/history/user-operation/<operation_id>/clear-annotation")
def clear_user_operation_annotation(operation_id):
    params.known_only()
    ctx = context()
    with ctx.db.command() as session:
        operation_log.clear_annotation(ctx, session, g.actor, operation_id)
    return "", 204


def _shaped(o) -> dict:
    return {
        "id": o.id, "operationId": o.id, "timestamp": when(o.occurred_at), "removalTime": None,
        "userId": o.user_id, "operationType": o.operation_type, "entityType": o.entity_type,
        "category": o.category, "property": o.property, "orgValue": None, "newValue": o.new_value,
        "annotation": o.annotation, "deploymentId": o.deployment_id, "processDefinitionId": o.definition_id,
        "processDefinitionKey": o.process_key, "processInstanceId": o.instance_id,
        "rootProcessInstanceId": o.instance_id, "executionId": None, "taskId": o.task_id, "jobId": o.job_id,
        "jobDefinitionId": None, "externalTaskId": o.external_task_id, "batchId": None,
        "caseDefinitionId": None, "caseInstanceId": None, "caseExecutionId": None,
    }
