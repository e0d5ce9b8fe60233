"""What is deployed, as the analysts' modeler lists it: every process, decision table and
form with its versions (latest first), who deployed each and when, and for processes the
running instances per version. Plain data: the pages never see a table row."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine.errors import InvalidDefinition
from app.engine.model_summary import decisions
from app.models import (
    Deployment, DeploymentResource, FormVersion, InstanceState, ProcessDefinition, ProcessInstance,
    User, UserGroup,
)

from app.core.errors import NotFound


@dataclass(frozen=True)
class Version:
    version: int
    deployed_at: datetime
    deployed_by: str | None
    deployed_by_name: str | None
    running: int = 0


@dataclass
class Model:
    """One process key, decision or form key with its versions, newest first."""

    key: str
    name: str
    versions: list[Version] = field(default_factory=list)

    @property
    def latest(self) -> Version:
        return self.versions[0]


def catalog(session: Session) -> dict[str, list[Model]]:
    return {"processes": processes(session), "decisions": decision_tables(session),
            "forms": forms(session)}


def _deployments():
    return (select(Deployment.id, Deployment.deployed_at, Deployment.deployed_by, User.display_name)
            .outerjoin(User, User.id == Deployment.deployed_by))


def _version(number: int, row, running: int = 0) -> Version:
    return Version(number, row.deployed_at, row.deployed_by, row.display_name, running)


def processes(session: Session) -> list[Model]:
    """Every process key, the latest version's name, each version's running instances."""
    running = dict(session.execute(
        select(ProcessInstance.definition_id, func.count())
        .where(ProcessInstance.state == InstanceState.ACTIVE)
        .group_by(ProcessInstance.definition_id)).all())
    deployed = _deployments().subquery()
    rows = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version,
               ProcessDefinition.name, deployed)
        .join(deployed, deployed.c.id == ProcessDefinition.deployment_id)
        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())).all()
    found: dict[str, Model] = {}
    for row in rows:
        model = found.setdefault(row.key, Model(row.key, row.name or row.key))
        model.versions.append(_version(row.version, row, running.get(row[0], 0)))
    return list(found.values())


def decision_tables(session: Session) -> list[Model]:
    """Every deployed decision file (one decision each, named after it): a version is each
    content it was deployed with."""
    deployed = _deployments().subquery()
    rows = session.execute(
        select(DeploymentResource.name, DeploymentResource.content,
               DeploymentResource.content_hash, deployed)
        .join(deployed, deployed.c.id == DeploymentResource.deployment_id)
        .where(DeploymentResource.kind == "dmn")
        .order_by(deployed.c.deployed_at)).all()
    found: dict[str, Model] = {}
    hashes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        key = row.name.rsplit("/", 1)[-1].removesuffix(".dmn")
        if row.content_hash in hashes[key]:
            continue
        hashes[key].add(row.content_hash)
        model = found.setdefault(key, Model(key, key))
        model.name = _decision_name(row.content, row.name) or key
        model.versions.insert(0, _version(len(hashes[key]), row))
    return sorted(found.values(), key=lambda m: m.key)


def _decision_name(content: bytes, file_name: str) -> str | None:
    try:
        named = decisions(content, file_name)
    except InvalidDefinition:
        return None
    return named[0].name if named else None


def forms(session: Session) -> list[Model]:
    deployed = _deployments().subquery()
    rows = session.execute(
        select(FormVersion.form_key, FormVersion.version, FormVersion.schema_json, deployed)
        .join(deployed, deployed.c.id == FormVersion.deployment_id)
        .order_by(FormVersion.form_key, FormVersion.version.desc())).all()
    found: dict[str, Model] = {}
    for row in rows:
        if row.form_key not in found:
            found[row.form_key] = Model(row.form_key, json.loads(row.schema_json).get("title") or row.form_key)
        found[row.form_key].versions.append(_version(row.version, row))
    return list(found.values())


@dataclass(frozen=True)
class FormSource:
    """A deployed form version as stored: its schema and UI hints (JSON text)."""

    key: str
    version: int
    schema_json: str
    ui_json: str | None


def form_source(session: Session, key: str, version: int | None = None) -> FormSource:
    """A deployed version of a form: the given version, or the latest."""
    query = select(FormVersion.version, FormVersion.schema_json, FormVersion.ui_json).where(
        FormVersion.form_key == key)
    if version is not None:
        query = query.where(FormVersion.version == version)
    row = session.execute(query.order_by(FormVersion.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"表单 {key} 没有已部署的版本{'' if version is None else f' {version}'} "
                       f"/ form {key} has no such deployed version")
    return FormSource(key, row.version, row.schema_json, row.ui_json)


def process_xml(session: Session, key: str, version: int | None = None) -> tuple[int, bytes]:
    """(version, XML) of a deployed process: the given version, or the latest."""
    query = select(ProcessDefinition.version, ProcessDefinition.bpmn_xml).where(ProcessDefinition.key == key)
    if version is not None:
        query = query.where(ProcessDefinition.version == version)
    row = session.execute(query.order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"流程 {key} 没有已部署的版本{'' if version is None else f' {version}'} "
                       f"/ process {key} has no such deployed version")
    return row.version, row.bpmn_xml


def groups(session: Session) -> list[str]:
    """The candidate groups users really belong to."""
    return list(session.scalars(select(UserGroup.group_id).distinct().order_by(UserGroup.group_id)))
