"""Moving a token inside one running instance (Camunda 7's process-instance modification,
limited to "cancel one activity, start before another"): the admin's repair of a stuck
case, e.g. a step whose only candidate left, or a case to be sent back past 退回's reach.

SpiffWorkflow 3.2 has no such operation. The waiting task is given the target activity's
spec and a new id (as Camunda starts a new activity instance), put back to FUTURE and
updated, so the target is armed as if its token had just arrived (a user task becomes
ready, a timer is armed, a service task is offered to its handler); what was predicted
after the old activity is predicted again from the target. Its data stays: the instance's
variables at the moment of the move. What the engine cannot carry is refused before
anything changes.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

from .errors import EngineError
from .specs import TopicServiceTask
from .task_tree import give_new_id

ACTIVE = TaskState.READY | TaskState.WAITING
REFUSED = "ModificationRefused"


def move_token(workflow, from_activity: str, to_activity: str) -> None:
    """Cancel the token waiting at `from_activity` and start before `to_activity`.

    An activity with boundary events is entered through the engine's split in front of
    it: leaving one cancels its waiting events with it, entering one arms them."""
    node = _entered_through(_waiting_task(workflow, from_activity))
    target = _entry_of(workflow, _target_spec(workflow, to_activity))
    _cancel_below(workflow, node)
    node.task_spec = target
    give_new_id(node)
    node._set_state(TaskState.FUTURE)
    target._predict(node, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    target._update(node)


def _cancel_below(workflow, node) -> None:
    """Drop what hangs under `node`; its waiting events stop listening too (Spiff keeps
    them in its event manager apart from the tree)."""
    listening = workflow.top_workflow.event_manager.tasks
    for child in list(node.children):
        for task in child:
            listening.pop(task.id, None)
        workflow._remove_task(child.id)


def _entered_through(task):
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
        return parent
    return task


def _entry_of(workflow, spec: BpmnTaskSpec):
    return workflow.spec.task_specs.get(f"{spec.name}.BoundaryEventSplit", spec)


def _waiting_task(workflow, activity_id: str):
    found = [t for t in workflow.get_tasks(state=ACTIVE | TaskState.STARTED)
             if t.task_spec.bpmn_id == activity_id and _token_waits(t)]
    if not found:
        raise EngineError(f"活动 {activity_id} 上没有等待中的令牌 / no token waits at {activity_id}",
                          activity_id, REFUSED)
    task = found[0]
    if len(found) > 1 or task.workflow is not workflow or _in_multi_instance(task):
        raise EngineError(f"活动 {activity_id} 在子流程、调用活动或会签中，引擎不能移动它的令牌 / the token "
                          f"at {activity_id} is inside a subprocess or multi-instance", activity_id, REFUSED)
    return task


def _token_waits(task) -> bool:
    """A service task waits STARTED, for its worker (an external task) or its retry; any
    other STARTED task runs a subprocess or a multi-instance activity's instances."""
    if isinstance(task.task_spec, BoundaryEvent):
        return False
    return task.state != TaskState.STARTED or isinstance(task.task_spec, TopicServiceTask)


def _in_multi_instance(task) -> bool:
    return isinstance(task.task_spec, MultiInstanceTask) or isinstance(
        getattr(task.parent, "task_spec", None), MultiInstanceTask)


def _target_spec(workflow, activity_id: str) -> BpmnTaskSpec:
    spec = workflow.spec.task_specs.get(activity_id)
    if spec is None or getattr(spec, "bpmn_id", None) != activity_id:
        raise EngineError(f"流程中没有活动 {activity_id} / the process has no activity {activity_id}",
                          activity_id, REFUSED)
    if isinstance(spec, (StartEvent, BoundaryEvent, MultiInstanceTask, SubWorkflowTask, UnstructuredJoin)):
        name = spec.bpmn_name or activity_id
        raise EngineError(f"不能在「{name}」前启动：开始事件、边界事件、汇合网关、会签和子流程不能作为移动目标 / "
                          f"{activity_id} cannot be a target of a token move", activity_id, REFUSED)
    return spec
