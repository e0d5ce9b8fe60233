"""Camunda's historic batches: the batches the asynchronous operations answered, each done
in its request (`platform/done_batches.py`), listed, counted and read by id."""
from flask import g, jsonify

from app.clock import format_camunda as when
from app.platform import done_batches, queries

from . import blueprint, context, params, query_input


@blueprint.get("/history/batch")
def historic_batches():
    q = query_input.from_args(done_batches.CRITERIA, done_batches.SORTS)
    page = params.page()
    with context().db.read() as session:
        return jsonify([_shaped(b) for b in done_batches.batches(session, g.actor, q, page)])


@blueprint.get("/history/batch/count")
def count_historic_batches():
    q = query_input.from_args(done_batches.CRITERIA)
    with context().db.read() as session:
        return jsonify({"count": queries.count_of(session, *done_batches.batches_query(g.actor, q))})


@blueprint.get("/history/batch/<batch_id>")
def historic_batch(batch_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(_shaped(done_batches.batch(session, g.actor, batch_id)))


def _shaped(done) -> dict:
    return {
        "id": done.id, "type": done.type, "totalJobs": 1, "batchJobsPerSeed": 1,
        "invocationsPerBatchJob": done.invocations, "seedJobDefinitionId": None, "monitorJobDefinitionId": None,
        "batchJobDefinitionId": None, "tenantId": None, "createUserId": done.created_by,
        "startTime": when(done.started_at), "executionStartTime": when(done.started_at),
        "endTime": when(done.ended_at), "removalTime": None,
    }
