"""What changed between two deployed versions of a process: the modeler's version page."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.engine.bpmn_diff import diff_models
from app.engine.errors import InvalidDefinition
from app.models import Deployment, ProcessDefinition

from app.core.authorization import is_service
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.identity import Actor
from app.platform import model_catalog


def version_history(session: Session, actor: Actor, key: str) -> model_catalog.Model:
    """Process `key` with its versions, newest first: who deployed each, when, and the
    instances running on it."""
    _require_reader(actor)
    model = next((m for m in model_catalog.processes(session) if m.key == key), None)
    if model is None:
        raise NotFound(f"流程 {key} 尚未部署 / process {key} is not deployed")
    return model


def diff_versions(session: Session, actor: Actor, key: str, older: int, newer: int) -> dict:
    """The semantic diff of version `older` to version `newer` of process `key`, with who
    deployed each and when."""
    _require_reader(actor)
    before, after = version_of(session, key, older, "from"), version_of(session, key, newer, "to")
    try:
        diff = diff_models(before.bpmn_xml, after.bpmn_xml, key)
    except InvalidDefinition as error:
        # Deployed files were checked at deploy: this is a stored file gone bad, not input.
        raise BadRequest(f"无法读取已部署的模型：{error} / a deployed model cannot be read") from error
    return {"processKey": key, "from": _version(session, before), "to": _version(session, after),
            **diff.to_dict()}


def _require_reader(actor: Actor) -> None:
    """Whoever may see the process may see its versions; service accounts read nothing."""
    if is_service(actor):
        raise Forbidden("服务账号不能查看流程模型 / service accounts read no models")


def version_of(session: Session, key: str, version: int, field: str) -> ProcessDefinition:
    """Version `version` of process `key`; a version that does not exist names its parameter."""
    definition = session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version))
    if definition is None:
        raise NotFound(f"流程 {key} 没有第 {version} 版 / process {key} has no version {version}",
                       [{"field": field, "message": f"流程 {key} 没有第 {version} 版"}])
    return definition


def _version(session: Session, definition: ProcessDefinition) -> dict:
    deployment = session.get(Deployment, definition.deployment_id)
    return {"id": definition.id, "version": definition.version, "name": definition.name,
            "deployedBy": deployment.deployed_by, "deployedAt": format_camunda(deployment.deployed_at)}
