"""Moving a running instance onto another version's spec (Camunda 7's migration), within
what SpiffWorkflow 3.2 can do.

Spiff's own `migrate_workflow` aligns tasks by id or by shape and resets every waiting
branch: task ids change, data on a ready task is reset, a timer is armed afresh, and no
mapping can be given. Here the plan decides: each active activity goes to the activity its
instruction names and keeps its task (id, data, a timer's due time, a claim); what is
predicted beyond it is predicted again from the target; finished tasks whose activity the
target lacks are cut out of the tree (their history is in our tables, and a restored
workflow must find every task's spec in the target). What the engine cannot carry is a
`Blocker`, said before anything moves: an activity without instruction, another type, a
multi-instance (会签), anything inside a subprocess or call activity, a service call in
progress, a join whose branches differ in the target, a target activity with boundary
events no instruction carries. A boundary event without instruction is dropped, as Camunda does.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from .runtime import Execution, WorkflowEngine

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Blocker:
    """Why an instance cannot move: `reason` is a code, `message` Chinese / English."""

    activity_id: str | None
    reason: str
    message: str


class MigrationBlocked(Exception):
    def __init__(self, blockers: list[Blocker]):
        self.blockers = blockers
        super().__init__("; ".join(b.message for b in blockers))


def blockers(engine: WorkflowEngine, execution: Execution, mapping: dict[str, str],
             target_id: str, target_json: str) -> list[Blocker]:
    """What keeps this instance from moving under `mapping` (source id -> target id)."""
    target, _subprocesses = engine.specs(target_id, target_json)
    workflow = execution.workflow
    found = []
    for task in workflow.get_tasks(state=ACTIVE):
        if isinstance(task.task_spec, BoundaryEvent) and task.workflow is workflow:
            continue  # goes with its activity, or is dropped without an instruction
        blocker = _blocker(task, workflow, mapping, target)
        if blocker is not None and blocker not in found:
            found.append(blocker)
    return found


def _blocker(task, workflow, mapping: dict[str, str], target) -> Blocker | None:
    spec = task.task_spec
    activity = spec.bpmn_id
    name = spec.bpmn_name or activity
    if task.workflow is not workflow or isinstance(spec, SubWorkflowTask):
        return Blocker(activity, "subprocess", f"「{name}」在子流程或调用活动中，引擎不支持迁移 / "
                       "instances inside a subprocess or call activity cannot be migrated")
    if isinstance(spec, MultiInstanceTask) or isinstance(getattr(task.parent, "task_spec", None),
                                                          MultiInstanceTask):
        return Blocker(activity, "multi_instance", f"「{name}」是会签（多实例）步骤，引擎不支持迁移 / "
                       "multi-instance activities cannot be migrated")
    if task.state == TaskState.STARTED:
        return Blocker(activity, "service_running", f"「{name}」的服务调用正在进行，不能迁移 / "
                       "a service call is in progress")
    if not isinstance(spec, (UserTask, CatchingEvent, UnstructuredJoin)) or activity is None:
        return Blocker(activity, "not_waiting_state", f"实例正停在「{name or spec.name}」，引擎不支持"
                       "迁移 / the instance waits where it cannot be migrated")
    return _target_blocker(task, mapping, target)


def _target_blocker(task, mapping: dict[str, str], target) -> Blocker | None:
    spec, activity = task.task_spec, task.task_spec.bpmn_id
    name = spec.bpmn_name or activity
    if activity not in mapping:
        return Blocker(activity, "unmapped", f"当前活动「{name}」（{activity}）没有迁移映射 / the "
                       f"active activity {activity} has no instruction")
    new = target.task_specs.get(mapping[activity])
    if new is None:
        return Blocker(activity, "missing_target", f"目标版本中没有活动 {mapping[activity]} / the "
                       f"target version has no activity {mapping[activity]}")
    if type(new) is not type(spec) or type(_event(new)) is not type(_event(spec)):
        return Blocker(activity, "type_changed", f"「{name}」映射到了另一类型的活动 {new.bpmn_id} / "
                       f"{activity} is mapped to an activity of another type")
    if isinstance(spec, UnstructuredJoin) and not _same_branches(spec, new, mapping):
        return Blocker(activity, "join_changed", f"汇合网关「{name}」在目标版本中汇合的分支不同，"
                       "引擎不支持迁移 / the join waits for other branches in the target version")
    if not _boundaries_carried(task, new, mapping):
        return Blocker(activity, "boundary_added", f"目标活动 {new.bpmn_id} 附有源活动没有（或未映射）的"
                       "边界事件，引擎不支持迁移 / the target activity has boundary events that no "
                       "instruction carries over")
    return None


def _event(spec):
    return getattr(spec, "event_definition", None)


def _same_branches(join, new, mapping: dict[str, str]) -> bool:
    """A join waiting for its other branches counts their arrivals by the tree: the target's
    join must merge the same incoming branches."""
    return sorted(_target_name(s.name, mapping) for s in join.inputs) == sorted(s.name for s in new.inputs)


def _boundaries_carried(task, new, mapping: dict[str, str]) -> bool:
    """Every boundary event of the target activity is one of the source's, mapped: Spiff arms
    boundary events only when their activity starts, so none can be added to a waiting one."""
    target_split = next((s for s in new.inputs if isinstance(s, BoundaryEventSplit)), None)
    if target_split is None:
        return True
    source_split = task.parent.task_spec if task.parent is not None else None
    if not isinstance(source_split, BoundaryEventSplit):
        return False
    carried = {mapping.get(s.bpmn_id) for s in source_split.outputs if s is not task.task_spec}
    return all(s is new or s.bpmn_id in carried for s in target_split.outputs)


def move(engine: WorkflowEngine, execution: Execution, mapping: dict[str, str],
         target_id: str, target_json: str) -> Execution:
    """The instance moved onto the target version, restored from its new state.

    Raises MigrationBlocked when it cannot move: the blockers are found before anything
    changes. Moving works on the given execution's workflow in place, so the caller keeps
    the returned execution and drops the given one."""
    found = blockers(engine, execution, mapping, target_id, target_json)
    if found:
        raise MigrationBlocked(found)
    try:
        _move_tree(engine, execution.workflow, mapping, target_id, target_json)
        return engine.restore(target_id, target_json, execution.serialize())
    except Exception as error:
        # The restore is the proof that the target can carry the state; whatever the
        # library raises on the way is said as a refusal of this instance, not a 500.
        raise MigrationBlocked([Blocker(None, "engine", f"引擎无法在目标版本上恢复实例：{error} / "
                                              "the engine cannot restore the instance on the target")]) from error


def _move_tree(engine: WorkflowEngine, workflow, mapping: dict[str, str], target_id: str,
               target_json: str) -> None:
    target, subprocesses = engine.specs(target_id, target_json)
    missing = _respecified(workflow, target, mapping)
    workflow.spec = target
    workflow.subprocess_specs = subprocesses
    _keep_finished_subprocesses(workflow, subprocesses)
    dropped = {task.id for task in missing}
    for task in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
        if task.id not in dropped:
            _predict_again(task)
    for task in missing:
        _cut_out(workflow, task)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def _respecified(workflow, target, mapping: dict[str, str]) -> list:
    """Point every task at its activity in the target; the tasks without one are returned.
    A finished or predicted task keeps its id's activity when no instruction names it."""
    missing = []
    for task in list(workflow.tasks.values()):
        new = target.task_specs.get(_target_name(task.task_spec.name, mapping))
        # A waiting boundary event without instruction is dropped, even where its id lives on.
        if new is None or task.has_state(ACTIVE) and task.task_spec.bpmn_id not in mapping:
            missing.append(task)
        else:
            task.task_spec = new
    return missing


def _target_name(name: str, mapping: dict[str, str]) -> str:
    """A spec's name in the target: an activity's id maps by the plan, and so do the
    engine's helpers named after it (`<id>.BoundaryEventSplit`, `<id>.BoundaryEventJoin`)."""
    if name in mapping:
        return mapping[name]
    activity, dot, suffix = name.rpartition(".")
    if dot and activity in mapping:
        return f"{mapping[activity]}.{suffix}"
    return name


def _predict_again(task) -> None:
    """What follows an active task, predicted from the target's flows. A waiting boundary
    event's way on stays merely possible (MAYBE) until it fires, as Spiff predicts it."""
    task._drop_children(force=True)
    if isinstance(task.task_spec, BoundaryEvent):
        task._sync_children(task.task_spec.outputs, TaskState.MAYBE)
        for child in task.children:
            child.task_spec._predict(child)
    else:
        task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE | task.state)


def _cut_out(workflow, task) -> None:
    """Remove a task whose activity the target lacks: a finished one gives its children to
    its parent; anything else goes with what was predicted under it."""
    if task.id not in workflow.tasks:
        return
    parent = task.parent
    if not task.has_state(TaskState.FINISHED_MASK) or parent is None:
        workflow._remove_task(task.id)
        return
    position = parent._children.index(task.id)
    parent._children[position:position + 1] = list(task._children)
    for child in task.children:
        child._parent = parent.id
    del workflow.tasks[task.id]


def _keep_finished_subprocesses(workflow, subprocesses: dict) -> None:
    """A finished subprocess stays if the target's version of it still has each of its
    tasks' activities; else it is dropped (its history is in our tables)."""
    for owner_id, subprocess in list(workflow.subprocesses.items()):
        spec = subprocesses.get(subprocess.spec.name)
        if spec is None or any(t.task_spec.name not in spec.task_specs for t in subprocess.tasks.values()):
            del workflow.subprocesses[owner_id]
            continue
        subprocess.spec = spec
        for task in subprocess.tasks.values():
            task.task_spec = spec.task_specs[task.task_spec.name]
