"""Camunda's JSON of an external task (ExternalTaskDto) and of a locked one."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.clock import format_camunda as when
from app.platform import variables
from app.platform.external_tasks import Locked

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
