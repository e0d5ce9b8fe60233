"""Camunda's JSON of an external task (ExternalTaskDto), of a locked one, and of the batch
that sets retries (BatchDto)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.clock import format_camunda as when
from app.platform import variables
from app.platform.external_tasks import Locked, RetriesBatch

if TYPE_CHECKING:  # the rows the platform's queries return; the web never touches the tables
    from app.models import ExternalTask


def external_task(t: ExternalTask) -> dict:
    return {
        "id": t.id, "topicName": t.topic_name, "workerId": t.worker_id,
        "lockExpirationTime": when(t.lock_expires_at), "createTime": when(t.created_at),
        "retries": t.retries, "errorMessage": t.error_message, "suspended": t.suspended,
        "priority": t.priority, "activityId": t.activity_id, "activityInstanceId": t.id,
        "executionId": t.id, "processInstanceId": t.instance_id,
        "processDefinitionId": t.definition_id, "processDefinitionKey": t.process_key,
        "processDefinitionVersionTag": None, "businessKey": t.business_key, "tenantId": None,
    }


def locked(found: Locked) -> dict:
    return {
        **external_task(found.task),
        "errorDetails": found.task.error_details,
        "variables": _with_bytes(variables.to_camunda(found.variables, found.types), found.inline_bytes),
        "extensionProperties": {},
    }


def _with_bytes(shaped: dict, inline: dict) -> dict:
    for name, text in inline.items():
        shaped[name]["value"] = text
    return shaped


def batch(done: RetriesBatch) -> dict:
    """A batch already done: one job that made every invocation, no job definitions (there
    are none here), started and executed when it was created."""
    return {
        "id": done.id, "type": "set-external-task-retries", "totalJobs": 1, "jobsCreated": 1,
        "batchJobsPerSeed": 1, "invocationsPerBatchJob": done.invocations, "seedJobDefinitionId": None,
        "monitorJobDefinitionId": None, "batchJobDefinitionId": None, "suspended": False, "tenantId": None,
        "createUserId": done.created_by, "startTime": when(done.started_at),
        "executionStartTime": when(done.started_at),
    }
