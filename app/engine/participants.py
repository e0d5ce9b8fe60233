"""Who takes part in a running parallel multi-instance activity (会签, an expert panel):
add one more (加签) or take one out (减签) while it runs.

SpiffWorkflow 3.2 creates every instance when the activity starts and counts it finished
when all of them completed. Adding appends the participant to the activity's collection
and creates their instance as the activity itself would (the element variable set, ready
at once). Removing takes an instance that has not finished out of the tree and the
participant out of the collection; if every remaining instance had already completed,
the activity completes now, as it would have when the last one did.
"""
from __future__ import annotations

from collections.abc import MutableSequence

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import ParallelMultiInstanceTask
from SpiffWorkflow.util.task import TaskState

from .errors import EngineError

REFUSED = "ParticipantsRefused"


def add(workflow, activity_id: str, participant) -> None:
    running = _running(workflow, activity_id)
    spec, items = running.task_spec, _collection(running)
    if participant in items:
        raise EngineError(f"{participant} 已在「{_name(running)}」中 / already taking part", activity_id, REFUSED)
    items.append(participant)
    spec.create_child(running, participant, len(items) - 1)


def remove(workflow, activity_id: str, participant) -> None:
    running = _running(workflow, activity_id)
    items = _collection(running)
    instance = next((c for c in running.task_spec._instances(running) if _item_of(running, c) == participant), None)
    if instance is None or participant not in items:
        raise EngineError(f"{participant} 不在「{_name(running)}」中 / not taking part", activity_id, REFUSED)
    if instance.has_state(TaskState.FINISHED_MASK):
        raise EngineError(f"{participant} 已办理完毕，不能减签 / has already finished", activity_id, REFUSED)
    if len(items) == 1:
        raise EngineError(f"「{_name(running)}」至少保留一人 / at least one must remain", activity_id, REFUSED)
    instance.workflow._remove_task(instance.id)
    items.remove(participant)
    _renumber(running)
    if running.task_spec.children_complete(running):
        running._set_state(TaskState.READY)


def _running(workflow, activity_id: str):
    found = [t for t in workflow.get_tasks(state=TaskState.STARTED)
             if isinstance(t.task_spec, ParallelMultiInstanceTask) and t.task_spec.bpmn_id == activity_id]
    if not found:
        raise EngineError(f"活动 {activity_id} 不是正在进行的并行会签 / {activity_id} is no running parallel "
                          "multi-instance activity", activity_id, REFUSED)
    return found[0]


def _collection(running) -> MutableSequence:
    spec = running.task_spec
    items = spec.data_input.get(running) if spec.data_input is not None else None
    if not isinstance(items, MutableSequence):
        raise EngineError(f"「{_name(running)}」的参与人不是列表，不能加签或减签 / its collection is no list",
                          spec.bpmn_id, REFUSED)
    return items


def _item_of(running, instance):
    item = running.task_spec.input_item
    return instance.data.get(item.bpmn_id) if item is not None else instance.internal_data.get("item")


def _renumber(running) -> None:
    """Each instance keeps its participant's place in the collection, as Spiff records it."""
    items = _collection(running)
    for instance in running.task_spec._instances(running):
        item = _item_of(running, instance)
        if item in items:
            instance.internal_data["key_or_index"] = items.index(item)


def _name(running) -> str:
    spec = running.task_spec
    inner = running.workflow.spec.task_specs.get(spec.task_spec)
    return spec.bpmn_name or getattr(inner, "bpmn_name", None) or spec.bpmn_id
