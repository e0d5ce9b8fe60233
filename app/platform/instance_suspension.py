"""Suspending or resuming running instances together (Camunda's PUT /process-instance/suspended):
a definition's, every version of a key's, or those named. One audit entry lists them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.platform import group_choice, instance_operations, process_definitions


def suspend_group(ctx: AppContext, session: Session, actor: Actor, body: dict) -> None:
    """Suspend or resume instances together (Camunda's suspension in a group): `body` has
    `suspended` and exactly one of SUSPENSION_GROUPS. It is idempotent: an ended instance,
    or one already so, is left as it is."""
    suspended = body.get("suspended")
    action = "instance.suspend" if suspended is True else "instance.resume"
    instance_operations.require_operator(ctx, session, actor, action, "group", {})
    instance_operations.check_suspended(suspended)
    group = group_choice.one_of(body, SUSPENSION_GROUPS)
    instance_ids = SUSPENSION_GROUPS[group](session, body[group])
    for instance_id in instance_ids:
        instance_operations.suspend_running(ctx, session, actor, instance_id, suspended)
    audit.record(ctx, session, action, user_id=actor.id, target=",".join(instance_ids)[:200], source=actor.source,
                 details={"processInstances": instance_ids})


def _named(_session, instance_ids) -> list[str]:
    if not isinstance(instance_ids, list) or not all(isinstance(i, str) for i in instance_ids):
        raise BadRequest("processInstanceIds 应为字符串列表 / processInstanceIds must be a list of strings",
                         [{"field": "processInstanceIds", "message": "应为字符串列表"}])
    return instance_ids


def _of_definition(session, definition_id) -> list[str]:
    definition = process_definitions.by_id(session, str(definition_id))
    return process_definitions.running_instance_ids(session, [definition.id])


def _of_key(session, key) -> list[str]:
    process_definitions.latest(session, str(key))
    versions = process_definitions.versions(session, str(key))
    return process_definitions.running_instance_ids(session, [d.id for d in versions])


SUSPENSION_GROUPS = {"processDefinitionId": _of_definition, "processDefinitionKey": _of_key,
                     "processInstanceIds": _named}
