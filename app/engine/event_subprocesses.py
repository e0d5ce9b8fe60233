"""Message event subprocesses of a process, as Camunda 7 runs them.

SpiffWorkflow 3.2 starts a process's event subprocess when its message arrives (a new one
for each further message), but shows no wait for it before, ignores isInterrupting, and
starts it with no process variables. The wait, the interruption and the variables are
here. Spiff does this for the event subprocesses of a process only, not of an embedded
subprocess; lint refuses those.
"""
from __future__ import annotations

from uuid import UUID, uuid5

from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .specs import EventSubprocessStart
from .views import MessageWait


def message_starts(workflow) -> list[MessageWait]:
    """What a message would start now: every message start event of the process's event
    subprocesses while the instance runs, until an interrupting one has started."""
    if workflow.is_completed() or _interrupted(workflow):
        return []
    return [
        # No task waits here: the wait's id is made from the instance's root and the event.
        MessageWait(str(uuid5(workflow.task_tree.id, start.bpmn_id)), start.bpmn_id,
                    start.event_definition.name)
        for start in _starts(workflow)
        if isinstance(start.event_definition, MessageEventDefinition)
    ]


def running(workflow) -> set[UUID]:
    """The ids of the process's event subprocess activities started so far."""
    return {t.id for t in _subprocess_tasks(workflow)}


def begun_since(workflow, before: set[UUID]) -> list:
    """The start-event tasks of the event subprocesses started since `before` was read."""
    return _caught(workflow, [t for t in _subprocess_tasks(workflow) if t.id not in before])


def begin(workflow, begun: list, variables: dict) -> None:
    """Give each started event subprocess the process variables (Camunda's event subprocess
    sees its scope's), and when one interrupts, cancel everything else in the process."""
    for start in begun:
        start.data = {**variables, **start.data}
    keep = {start.workflow.parent_task_id for start in begun if start.task_spec.cancel_activity}
    if not keep:
        return
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED,
                                   skip_subprocesses=True):
        if task.id not in keep:
            task.cancel()


def _interrupted(workflow) -> bool:
    return any(start.task_spec.cancel_activity for start in _caught(workflow, _subprocess_tasks(workflow)))


def _caught(workflow, subprocess_tasks) -> list:
    """The start events that started these event subprocesses."""
    return [
        start
        for task in subprocess_tasks
        for start in workflow.subprocesses[task.id].get_tasks(spec_class=EventSubprocessStart)
        if start.has_state(TaskState.READY | TaskState.COMPLETED)
    ]


def _starts(workflow):
    for name in workflow.spec.start.trigger_specs:
        yield from workflow.subprocess_specs[name].bpmn_start_events


def _subprocess_tasks(workflow):
    triggers = set(workflow.spec.start.trigger_specs)
    return [t for t in workflow.task_tree.children if t.task_spec.name in triggers]
