"""Deploy a set of BPMN, DMN and form files as new versions of what changed."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine.compiler import SourceFile, compile_deployment, content_hash, stored_form
from app.engine.errors import DefinitionProblem, InvalidDefinition
from app.models import (
    DecisionDefinition, Deployment, DeploymentResource, FormVersion, ProcessDefinition,
)

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.platform import permissions
from app.platform.decision_tables import is_latest_table, latest_table_ids, record_version
from app.platform.forms import check_schema
from app.platform.instance_store import new_id
from app.platform.timer_start import TimerStartRefused, schedule_timer_starts

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".ui.json"
MODELS_REFUSED = "模型未通过校验，未部署 / the models were refused"
UNSUPPORTED_REFUSED = "不支持的文件类型，未部署 / unsupported file types: nothing deployed"
CAMUNDA_FORM_SUFFIX = ".form"


class DeploymentRefused(BadRequest):
    """The models were refused; `errors` lists each located problem."""

    error_type = "ParseException"


@dataclass
class DeployResult:
    deployment: Deployment
    new_definitions: list[ProcessDefinition] = field(default_factory=list)
    unchanged: bool = False
    new_decisions: list[DecisionDefinition] = field(default_factory=list)
    warnings: list[DefinitionProblem] = field(default_factory=list)


def classify(name: str) -> str | None:
    """The kind of a deployed file by its name; None for a kind we do not deploy."""
    lower = name.lower()
    if lower.endswith((".bpmn", ".bpmn20.xml")):
        return "bpmn"
    if lower.endswith((".dmn", ".dmn11.xml")):
        return "dmn"
    if lower.endswith(SCHEMA_SUFFIX):
        return "form"
    if lower.endswith(UI_SUFFIX):
        return "form_ui"
    return None


def classify_all(files: dict[str, bytes]) -> dict[str, str]:
    """Each file's kind; every file of a kind we do not deploy is refused, by name."""
    kinds = {file_name: classify(file_name) for file_name in files}
    unsupported = [_unsupported(name) for name, kind in kinds.items() if kind is None]
    if unsupported:
        raise DeploymentRefused(UNSUPPORTED_REFUSED, located(unsupported))
    return kinds


def _unsupported(name: str) -> DefinitionProblem:
    # Camunda Modeler saves Camunda Forms (form-js) as *.form: a different format from ours,
    # said so, so that the analyst writes the form as a JSON Schema instead.
    if name.lower().endswith(CAMUNDA_FORM_SUFFIX):
        return DefinitionProblem(
            name, f"{name}：Camunda Forms（form-js 的 .form 文件）不受支持，表单请写成 JSON Schema："
                  f"<表单键>{SCHEMA_SUFFIX}（可附 <表单键>{UI_SUFFIX} 界面提示）",
            f"{name}: Camunda Forms (form-js .form files) are not supported; write the form as "
            f"a JSON Schema <form key>{SCHEMA_SUFFIX} (with <form key>{UI_SUFFIX} UI hints)")
    return DefinitionProblem(
        name, f"不支持的文件类型：{name}（仅支持 .bpmn、.dmn、{SCHEMA_SUFFIX}、{UI_SUFFIX}）",
        f"unsupported file type: {name} (only .bpmn, .dmn, {SCHEMA_SUFFIX}, {UI_SUFFIX})")


def located(problems: list[DefinitionProblem]) -> list[dict]:
    """Problems as a refusal lists them: each beside its file (`field`), in Chinese."""
    return [dict(p.to_dict(), field=p.file, message=p.message_zh) for p in problems]


def form_key_of(name: str) -> str:
    for suffix in (SCHEMA_SUFFIX, UI_SUFFIX):
        if name.endswith(suffix):
            return str(PurePosixPath(name[: -len(suffix)]))
    return name


def deploy(ctx: AppContext, session: Session, actor: Actor | None, name: str,
           files: dict[str, bytes], source: str | None = None) -> DeployResult:
    refusal = None if actor is None else permissions.deploy_refusal(actor)
    if refusal is not None:
        audit.record_refusal(ctx, session, "deployment.create", user_id=actor.id, target=name,
                             source=actor.source, details={"files": sorted(files)})
        raise refusal
    if not files:
        raise BadRequest("没有上传任何文件 / no files in the deployment")
    kinds = classify_all(files)
    bundle_hash = _bundle_hash(files)
    existing = session.scalar(
        select(Deployment).where(Deployment.content_hash == bundle_hash)
        .order_by(Deployment.deployed_at.desc()).limit(1)
    )
    if existing is not None and _still_deployed(session, files, kinds):
        return DeployResult(existing, unchanged=True)
    deployment = Deployment(
        id=new_id(), name=name, source=source, content_hash=bundle_hash,
        deployed_at=ctx.now(), deployed_by=actor.id if actor else None,
    )
    session.add(deployment)
    session.flush()
    forms = _deploy_forms(session, deployment, files, kinds)
    compiled = _compile(ctx, session, files, kinds)
    definitions = [
        d for d in (_new_version(session, deployment, p, forms) for p in compiled.processes) if d
    ]
    for file_name, uploaded in files.items():
        content = compiled.files.get(file_name, uploaded)
        session.add(DeploymentResource(
            id=new_id(), deployment_id=deployment.id, name=file_name, kind=kinds[file_name],
            content=content, content_hash=content_hash(content),
        ))
    session.flush()
    decisions = [
        d for d in (record_version(session, deployment, decision, compiled.files[decision.resource_name])
                    for decision in compiled.decisions) if d
    ]
    try:
        schedule_timer_starts(ctx, session, definitions)
    except TimerStartRefused as refused:
        raise DeploymentRefused(MODELS_REFUSED, refused.errors) from refused
    audit.record(ctx, session, "deployment.create", user_id=actor.id if actor else None,
                 target=deployment.id, source=actor.source if actor else source,
                 details={"name": name, "files": sorted(files),
                          "definitions": [f"{d.key}:{d.version}" for d in definitions],
                          "decisions": [f"{d.key}:{d.version}" for d in decisions]})
    return DeployResult(deployment, definitions, new_decisions=decisions, warnings=compiled.warnings)


def last_deployed_from(session: Session, source: str, files: dict[str, bytes]) -> bool:
    """Whether the last deployment from `source` held exactly `files`.

    The project's own models (`flask setup`) are deployed again only when they changed
    since they were last deployed: a version an analyst deployed from the modeler since
    then stays the latest, instead of being replaced at the next start.
    """
    last = session.scalar(
        select(Deployment.content_hash).where(Deployment.source == source)
        .order_by(Deployment.deployed_at.desc()).limit(1)
    )
    return last == _bundle_hash(files)


def _bundle_hash(files: dict[str, bytes]) -> str:
    return content_hash(*(n.encode() + b"\0" + files[n] for n in sorted(files)))


def _still_deployed(session, files, kinds) -> bool:
    """Camunda's duplicate filter: every file equals what is deployed now under its name.

    The same bundle deployed earlier is not enough: after another version it must deploy
    again (going back to an earlier diagram makes a new latest version).
    """
    names = [n for n, kind in kinds.items() if kind == "bpmn"]
    if names:
        rows = session.execute(
            _latest_files().where(ProcessDefinition.resource_name.in_(names))
        ).all()
        if any(content != stored_form(name, files[name]) for name, content in rows):
            return False
    for key in {form_key_of(n) for n, kind in kinds.items() if kind in ("form", "form_ui")}:
        form = _latest_form(session, key)
        schema, ui = files.get(key + SCHEMA_SUFFIX), files.get(key + UI_SUFFIX)
        if form is None or schema is None or form.content_hash != content_hash(schema, ui or b""):
            return False
    return all(is_latest_table(session, n, stored_form(n, files[n])) for n, kind in kinds.items() if kind == "dmn")


def _deploy_forms(session, deployment, files, kinds) -> dict[str, FormVersion]:
    keys = {form_key_of(n) for n, kind in kinds.items() if kind in ("form", "form_ui")}
    forms = {}
    for key in sorted(keys):
        schema_bytes = files.get(key + SCHEMA_SUFFIX)
        if schema_bytes is None:
            raise BadRequest(f"表单 {key} 缺少 {key}{SCHEMA_SUFFIX} / form schema missing")
        schema = check_schema(key, schema_bytes)
        ui_bytes = files.get(key + UI_SUFFIX)
        ui = _ui_hints(key, ui_bytes) if ui_bytes is not None else None
        forms[key] = _form_version(session, deployment, key, schema, ui, schema_bytes, ui_bytes)
    return forms


def _ui_hints(key: str, content: bytes):
    try:
        return json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest(f"表单界面提示 {key}{UI_SUFFIX} 不是合法的 JSON：{error}") from error


def _form_version(session, deployment, key, schema, ui, schema_bytes, ui_bytes) -> FormVersion:
    digest = content_hash(schema_bytes, ui_bytes or b"")
    latest = _latest_form(session, key)
    if latest is not None and latest.content_hash == digest:
        return latest
    form = FormVersion(
        id=new_id(), form_key=key, version=(latest.version + 1) if latest else 1,
        schema_json=json.dumps(schema, ensure_ascii=False),
        ui_json=json.dumps(ui, ensure_ascii=False) if ui is not None else None,
        content_hash=digest, deployment_id=deployment.id,
    )
    session.add(form)
    session.flush()
    return form


def _latest_form(session, key) -> FormVersion | None:
    return session.scalar(
        select(FormVersion).where(FormVersion.form_key == key)
        .order_by(FormVersion.version.desc()).limit(1)
    )


def check(ctx: AppContext, session: Session, files: dict[str, bytes]
          ) -> tuple[list[DefinitionProblem], list[DefinitionProblem]]:
    """(errors, warnings) that deploying `files` now would meet, without deploying: the
    same compilation and lint, against the same deployed forms, topics and processes.
    Forms among `files` are not checked here (the modeler sends diagrams)."""
    kinds = classify_all(files)
    try:
        compiled = _compile_models(ctx, session, files, kinds)
    except InvalidDefinition as error:
        return error.problems, error.warnings
    return [], compiled.warnings


def _compile_models(ctx, session, files, kinds):
    bpmn = [SourceFile(n, c) for n, c in files.items() if kinds[n] == "bpmn"]
    dmn = [SourceFile(n, c) for n, c in files.items() if kinds[n] == "dmn"]
    if bpmn:
        dmn += _decision_library(session, set(files))
    known_forms = {form_key_of(n) for n, k in kinds.items() if k == "form"}
    known_forms |= set(session.scalars(select(FormVersion.form_key).distinct()))
    return compile_deployment(
        bpmn, dmn, known_forms, ctx.handlers.topics(), library=_library(session),
        timer_min_cycle=timedelta(seconds=ctx.settings.timer_min_cycle_seconds),
    )


def _compile(ctx, session, files, kinds):
    try:
        return _compile_models(ctx, session, files, kinds)
    except InvalidDefinition as error:
        raise DeploymentRefused(MODELS_REFUSED, located(error.problems)) from error


def _decision_library(session, uploaded: set[str]) -> list[SourceFile]:
    """The latest version of every deployed decision table whose file is not uploaded again:
    a diagram deployed alone (from the modeler, or Camunda Modeler's deploy dialog) calls the
    tables already deployed, as Camunda's decisionRef binds the latest version. Latest by the
    tables' own version numbers (deployment times may tie); a file holding several tables
    comes from its newest deployment. Compiled with the diagram, not stored again."""
    newest: dict[str, tuple] = {}
    for table, deployed_at in session.execute(
            select(DecisionDefinition, Deployment.deployed_at)
            .join(Deployment, Deployment.id == DecisionDefinition.deployment_id)
            .where(DecisionDefinition.id.in_(latest_table_ids()))):
        if table.resource_name in uploaded:
            continue
        shown = newest.get(table.resource_name)
        if shown is None or deployed_at > shown[0]:
            newest[table.resource_name] = (deployed_at, table.dmn_xml)
    return [SourceFile(name, content) for name, (_at, content) in sorted(newest.items())]


def _library(session) -> list[SourceFile]:
    """The latest version of every deployed process, for call activities to target; a file
    holding several processes once."""
    rows = session.execute(_latest_files().order_by(ProcessDefinition.resource_name)).all()
    return [SourceFile(name, content) for name, content in dict.fromkeys((n, c) for n, c in rows)]


def _latest_files():
    """(resource name, XML) of the latest version of each process key."""
    latest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key).subquery()
    )
    return (
        select(ProcessDefinition.resource_name, ProcessDefinition.bpmn_xml)
        .join(latest, (ProcessDefinition.key == latest.c.key)
              & (ProcessDefinition.version == latest.c.version))
    )


def _new_version(session, deployment, process, forms) -> ProcessDefinition | None:
    form_ids = {}
    for key in sorted(process.form_keys):
        form = forms.get(key) or _latest_form(session, key)
        form_ids[key] = form.id
    digest = content_hash(process.content_hash.encode(), json.dumps(form_ids, sort_keys=True).encode())
    latest = latest_definition(session, process.key)
    if latest is not None and latest.content_hash == digest:
        return None
    version = (latest.version + 1) if latest else 1
    definition = ProcessDefinition(
        id=f"{process.key}:{version}:{new_id()}", key=process.key, version=version,
        name=process.name, deployment_id=deployment.id, resource_name=process.resource_name,
        bpmn_xml=process.bpmn_xml, spec_json=process.spec_json,
        forms_json=json.dumps(form_ids), elements_json=json.dumps(process.elements, ensure_ascii=False),
        content_hash=digest, has_timer_start=process.has_timer_start,
        starter_groups=",".join(process.starter_groups), starter_users=",".join(process.starter_users),
    )
    session.add(definition)
    session.flush()
    return definition


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    )
