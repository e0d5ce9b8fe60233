"""Walking a task tree backwards, for sending a task back to an earlier step (退回)."""
from __future__ import annotations

from uuid import uuid4

from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState


def _parent(task):
    return task.parent


def is_single_user_task(task, parent_of=_parent) -> bool:
    """A user task outside any multi-instance (会签 tasks cannot be returned to one by one)."""
    parent = parent_of(task)
    return isinstance(task.task_spec, UserTask) and not (
        parent is not None and isinstance(parent.task_spec, MultiInstanceTask)
    )


def return_targets(task, parent_of=_parent) -> list:
    """The earlier user steps `task` may be sent back to (退回), nearest first: the latest
    run of each, where it is not inside a parallel branch merged since.

    `parent_of` lets compaction ask what the answer would be on the tree it plans."""
    seen, targets = set(), []
    for earlier, merged in path_back(task, parent_of):
        activity = earlier.task_spec.bpmn_id
        if not merged and activity not in seen and is_single_user_task(earlier, parent_of):
            seen.add(activity)
            targets.append(earlier)
    return targets


def path_back(task, parent_of=_parent):
    """What ran before `task`, nearest first, with a flag: inside a parallel branch merged since.

    Walking back crosses a parallel/inclusive join into one of its branches, and that
    branch's split closes it again; a step found in between sits in a branch that has
    been merged, and resetting it would leave the other branches' tokens behind.
    """
    open_joins = 0
    for earlier in _earlier(task, parent_of):
        spec = earlier.task_spec
        if isinstance(spec, (ParallelGateway, InclusiveGateway)):
            if len(spec.outputs) > 1 and open_joins:
                open_joins -= 1
            if len(spec.inputs) > 1:
                open_joins += 1
        yield earlier, open_joins > 0


def _earlier(task, parent_of):
    """Ancestors of `task`, leaving the subprocess it runs in through the subprocess task."""
    top = task.workflow.top_workflow
    while task is not None:
        yield from _ancestors_within(task, top, parent_of)
        owner_id = task.workflow.parent_task_id
        task = top.get_task_from_id(owner_id) if owner_id is not None else None
        if task is not None:
            yield task


def _ancestors_within(task, top, parent_of):
    """Ancestors in the task's own workflow, entering each finished subprocess on the way."""
    parent = parent_of(task)
    while parent is not None:
        yield parent
        subprocess = top.subprocesses.get(parent.id)
        if subprocess is not None and parent.state == TaskState.COMPLETED:
            end = subprocess.get_next_task(spec_name="End", state=TaskState.COMPLETED)
            if end is not None:
                yield end
                yield from _ancestors_within(end, top, parent_of)
        parent = parent_of(parent)


def is_attached(top, workflow) -> bool:
    """`workflow` is the top one, or a subprocess `top` still holds (a reset or a cut may
    have dropped it while its tasks are still referred to elsewhere)."""
    return workflow is top or top.subprocesses.get(workflow.parent_task_id) is workflow


def give_new_id(task) -> None:
    """Re-key a task everywhere Spiff refers to it by id (tree links, subprocesses, events).

    Keys keep their order: the serializer restores each task's data as a delta on its
    parent's, so a parent must still come before its children.
    """
    workflow, top = task.workflow, task.workflow.top_workflow
    old, new = task.id, uuid4()
    workflow.tasks = _renamed(workflow.tasks, old, new)
    task.id = new
    parent = task.parent
    if parent is not None:
        parent._children = [new if child == old else child for child in parent._children]
    for child in task.children:
        child._parent = new
    if old in top.subprocesses:
        top.subprocesses[old].parent_task_id = new
        top.subprocesses = _renamed(top.subprocesses, old, new)
    if old in top.event_manager.tasks:
        top.event_manager.tasks[new] = top.event_manager.tasks.pop(old)


def _renamed(mapping: dict, old, new) -> dict:
    return {(new if key == old else key): value for key, value in mapping.items()}


