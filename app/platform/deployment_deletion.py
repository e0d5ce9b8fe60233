"""Delete a deployment (Camunda's DELETE /deployment/{id}): its files, process and decision
definitions and forms.

Without `cascade` a deployment whose definitions have instances is refused: a finished
instance is this engine's history and refers to its definition, so it blocks as a running
one does (Camunda keeps orphaned history instead). With `cascade` every instance of them,
running or finished, is deleted with all the engine keeps of it (tasks, jobs, external tasks,
incidents, subscriptions, File and Bytes variables, history, comments, attachments,
notifications, 抄送 grants). Removing what
analysts deploy is their right as deploying is (analysts and admins); deleting instances
is an administrator's. Both are audited, refused or done.

Three things refuse even a cascade, since deleting would break what is not the engine's:
- records a case keeps of an instance in tables of its own (such as an expert panel), found
  as foreign keys to the instance table: the case is ended through its own process;
- a form of the deployment that a definition of another deployment shows;
- a migration batch from or to one of its definitions (its report and undo read both).
Camunda's `skipCustomListeners` and `skipIoMappings` are accepted and mean nothing here:
deleting an instance runs no listener and no input/output mapping."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import (
    Attachment, Base, BinaryVariable, Comment, DecisionDefinition, Deployment, ExternalTask, ExternalTaskLogEntry,
    FormVersion,
    HistoricActivity, HistoricDecisionInstance, HistoricTask, HistoryEvent, Incident, InstanceReader, InstanceState,
    Job, JobLogEntry, MessageSubscription, MigratedInstance, MigrationBatch, Notification, OfficialDocument, ProcessDefinition,
    ProcessInstance, Task, TaskCandidate, TaskDraft,
)

from app.core import audit
from app.core.context import AppContext
from app.core.errors import Conflict, NotFound
from app.core.identity import Actor
from app.platform import instance_store, permissions

# The engine's tables that hold an instance's rows, emptied for each deleted instance.
INSTANCE_TABLES = (TaskCandidate, TaskDraft, Task, Job, Incident, MessageSubscription, ExternalTask, BinaryVariable,
                   Comment, Attachment, Notification, InstanceReader, HistoryEvent, HistoricActivity, HistoricTask,
                   HistoricDecisionInstance, MigratedInstance, OfficialDocument, ExternalTaskLogEntry, JobLogEntry)


def delete_deployment(ctx: AppContext, session: Session, actor: Actor, deployment_id: str,
                      cascade: bool) -> None:
    removal = _Removal("deployment.delete", deployment_id, {"cascade": cascade}, "该部署的", "the deployment's")
    _require(ctx, session, actor, permissions.deploy_refusal(actor), removal)
    deployment = session.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFound(f"部署 {deployment_id} 不存在 / no deployment with id {deployment_id}")
    definitions = list(session.scalars(select(ProcessDefinition.id).where(
        ProcessDefinition.deployment_id == deployment_id)))
    removal.details.update(name=deployment.name)
    _refuse_pinned_forms(session, deployment_id, definitions)
    _remove_instances(ctx, session, actor, definitions, cascade, removal)
    _remove_models(session, deployment, definitions)
    _forget(ctx, definitions)
    audit.record(ctx, session, removal.action, user_id=actor.id, target=deployment_id,
                 source=actor.source, details=removal.details)


def delete_definitions(ctx: AppContext, session: Session, actor: Actor, definitions: list[ProcessDefinition],
                       cascade: bool) -> None:
    """Delete process definitions (Camunda's DELETE /process-definition/{id}, or every version
    of a key): as their deployment's deletion deletes them, the deployment and its other
    files staying."""
    ids = [d.id for d in definitions]
    removal = _Removal("definition.delete", ",".join(ids)[:200], {"cascade": cascade}, "该", "the")
    _require(ctx, session, actor, permissions.deploy_refusal(actor), removal)
    _remove_instances(ctx, session, actor, ids, cascade, removal)
    session.execute(delete(ProcessDefinition).where(ProcessDefinition.id.in_(ids)))
    _forget(ctx, ids)
    audit.record(ctx, session, removal.action, user_id=actor.id, target=removal.target, source=actor.source,
                 details=removal.details)


@dataclass
class _Removal:
    """What is being deleted, for its audit entry and its refusals."""

    action: str
    target: str
    details: dict
    subject_zh: str
    subject_en: str


def _remove_instances(ctx, session, actor: Actor, definitions: list[str], cascade: bool, removal: _Removal) -> None:
    """Delete the definitions' instances with all the engine keeps of them (`cascade`)."""
    # A subquery rather than a list of ids: a definition may have more instances than a
    # statement takes parameters.
    instances = select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(definitions))
    count = session.scalar(select(func.count()).select_from(instances.subquery()))
    removal.details.update(definitions=definitions, processInstances=count)
    _refuse_migration_batches(session, definitions)
    if not count:
        return
    _refuse_without_cascade(session, instances, count, cascade, removal)
    _require(ctx, session, actor, permissions.instance_operation_refusal(actor), removal)
    _refuse_case_records(session, instances)
    # Taken one by one, as every command takes its instance: one still working queues us.
    for instance_id in session.scalars(instances.order_by(ProcessInstance.id)):
        instance_store.lock_instance(session, instance_id)
    _purge_instances(session, instances)


def _forget(ctx: AppContext, definitions: list[str]) -> None:
    for definition_id in definitions:
        ctx.caches.get("definitions", {}).pop(definition_id, None)


def _require(ctx, session, actor: Actor, refusal, removal: _Removal) -> None:
    if refusal is not None:
        audit.record_refusal(ctx, session, removal.action, user_id=actor.id, target=removal.target,
                             source=actor.source, details=removal.details)
        raise refusal


def _refuse_without_cascade(session: Session, instances, count: int, cascade: bool, removal: _Removal) -> None:
    if cascade:
        return
    running = session.scalar(select(func.count()).select_from(
        instances.where(ProcessInstance.state == InstanceState.ACTIVE).subquery()))
    raise Conflict(
        f"{removal.subject_zh}流程定义有 {count} 个流程实例（{running} 个运行中），需 cascade=true 才能连同实例删除 / "
        f"{removal.subject_en} definitions have {count} process instances ({running} running): "
        "delete with cascade=true to delete them too")


def _refuse_case_records(session: Session, instances) -> None:
    purged = {model.__table__.name for model in INSTANCE_TABLES}
    instance_table = ProcessInstance.__table__
    for table in Base.metadata.sorted_tables:
        if table.name in purged:
            continue
        for key in table.foreign_keys:
            if key.column.table is instance_table and session.scalar(
                    select(func.count()).select_from(table).where(key.parent.in_(instances))):
                raise Conflict(
                    f"流程实例在 {table.name} 中有业务记录，请通过其业务流程处理，不能随部署删除 / "
                    f"the instances hold case records in {table.name}: they cannot be deleted with the deployment")


def _refuse_pinned_forms(session: Session, deployment_id: str, definitions: list[str]) -> None:
    forms = dict(session.execute(select(FormVersion.id, FormVersion.form_key).where(
        FormVersion.deployment_id == deployment_id)).all())
    if not forms:
        return
    others = session.scalars(select(ProcessDefinition.forms_json).where(
        ProcessDefinition.deployment_id != deployment_id, ProcessDefinition.id.not_in(definitions)))
    for forms_json in others:
        pinned = sorted(forms[i] for i in json.loads(forms_json).values() if i in forms)
        if pinned:
            raise Conflict(f"表单 {pinned[0]} 仍被其他部署的流程定义使用 / form {pinned[0]} is shown by a "
                           "definition of another deployment")


def _refuse_migration_batches(session: Session, definitions: list[str]) -> None:
    batch = session.scalar(select(MigrationBatch.id).where(or_(
        MigrationBatch.source_definition_id.in_(definitions), MigrationBatch.target_definition_id.in_(definitions),
    )).order_by(MigrationBatch.id).limit(1))
    if batch is not None:
        raise Conflict(f"迁移批次 {batch} 以该部署的流程定义为源或目标（其报告与撤销依赖它） / migration batch "
                       f"{batch} moves instances from or to a definition of the deployment")


def _purge_instances(session: Session, instances) -> None:
    tasks = select(Task.id).where(Task.instance_id.in_(instances))
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(tasks)))
    session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(tasks)))
    for model in INSTANCE_TABLES[2:]:
        session.execute(delete(model).where(model.instance_id.in_(instances)))
    session.execute(delete(ProcessInstance).where(ProcessInstance.id.in_(instances.scalar_subquery())))


def _remove_models(session: Session, deployment: Deployment, definitions: list[str]) -> None:
    session.execute(delete(ProcessDefinition).where(ProcessDefinition.id.in_(definitions)))
    removed = select(DecisionDefinition.id).where(DecisionDefinition.deployment_id == deployment.id)
    # Other processes' evaluations of these tables stay in history, naming a version no longer there.
    session.execute(update(HistoricDecisionInstance).where(HistoricDecisionInstance.decision_definition_id.in_(removed))
                    .values(decision_definition_id=None))
    session.execute(delete(DecisionDefinition).where(DecisionDefinition.deployment_id == deployment.id))
    session.execute(delete(FormVersion).where(FormVersion.deployment_id == deployment.id))
    session.delete(deployment)
    session.flush()
