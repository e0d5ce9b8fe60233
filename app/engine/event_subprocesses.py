"""Message event subprocesses, as Camunda 7 runs them: each waits in its scope (the process,
or an embedded subprocess while that runs).

SpiffWorkflow 3.2 starts a process's event subprocess when its message arrives (a new one
for each further message), but shows no wait for it before, ignores isInterrupting, and
starts it with no process variables; an event subprocess of an embedded subprocess it never
starts. The wait, the start inside a subprocess, the interruption and the variables are
here.
"""
from __future__ import annotations

from uuid import UUID, uuid5

from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .specs import EventSubprocessStart
from .views import MessageWait


def message_starts(workflow) -> list[MessageWait]:
    """What a message would start now: every message start event of the event subprocesses
    of each running scope, until an interrupting one has started in that scope."""
    return [
        # No task waits here: the wait's id is made from the scope's root and the event.
        MessageWait(str(uuid5(scope.task_tree.id, start.bpmn_id)), start.bpmn_id,
                    start.event_definition.name)
        for scope in _listening(workflow)
        for _name, start in _message_starts(workflow, scope)
    ]


def arm(workflow, message: str) -> None:
    """Make the event subprocesses of running embedded subprocesses that this message starts
    wait for it, as Spiff does for the process's own when the message arrives."""
    for scope in _listening(workflow):
        if scope is workflow:
            continue
        for name, start in _message_starts(workflow, scope):
            if start.event_definition.name == message:
                _trigger(scope, name)


def _trigger(scope, name: str) -> None:
    """Spiff's trigger adds the event subprocess without its way out: the process does not
    need it (it ends once nothing is left running), but a subprocess ends only when its end
    is reached, so the event subprocess is given the path to it."""
    task = scope.get_task_from_id(scope.spec.start.trigger_wf(scope.task_tree, name))
    task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def running(workflow) -> set[UUID]:
    """The ids of the event subprocess activities started so far, in every scope."""
    return {t.id for scope in _scopes(workflow) for t in _subprocess_tasks(scope)}


def begun_since(workflow, before: set[UUID]) -> list:
    """The start-event tasks of the event subprocesses started since `before` was read."""
    return _caught(workflow, [t for scope in _scopes(workflow) for t in _subprocess_tasks(scope)
                              if t.id not in before])


def begin(workflow, begun: list, variables: dict) -> None:
    """Give each started event subprocess the process variables (Camunda's event subprocess
    sees its scope's), and when one interrupts, cancel everything else in its scope."""
    for start in begun:
        start.data = {**variables, **start.data}
    for start in begun:
        if start.task_spec.cancel_activity:
            _cancel_all_but(start.workflow.parent_workflow, start.workflow.parent_task_id)


def _cancel_all_but(scope, keep: UUID) -> None:
    for task in scope.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED,
                                skip_subprocesses=True):
        if task.id != keep:
            task.cancel()


def _listening(workflow):
    """The scopes whose event subprocesses a message may start now."""
    return [scope for scope in _scopes(workflow)
            if not scope.is_completed() and _active(workflow, scope) and not _interrupted(workflow, scope)]


def _scopes(workflow):
    """The process and the subprocesses running in it that have event subprocesses."""
    return [scope for scope in (workflow, *workflow.subprocesses.values())
            if scope.spec.start.trigger_specs]


def _active(workflow, scope) -> bool:
    if scope is workflow:
        return True
    parent = workflow.get_task_from_id(scope.parent_task_id)
    return parent is not None and parent.state == TaskState.STARTED


def _interrupted(workflow, scope) -> bool:
    return any(start.task_spec.cancel_activity for start in _caught(workflow, _subprocess_tasks(scope)))


def _caught(workflow, subprocess_tasks) -> list:
    """The start events that started these event subprocesses."""
    return [
        start
        for task in subprocess_tasks
        for start in workflow.subprocesses[task.id].get_tasks(spec_class=EventSubprocessStart)
        if start.has_state(TaskState.READY | TaskState.COMPLETED)
    ]


def _message_starts(workflow, scope):
    for name in scope.spec.start.trigger_specs:
        for start in workflow.subprocess_specs[name].bpmn_start_events:
            if isinstance(start.event_definition, MessageEventDefinition):
                yield name, start


def _subprocess_tasks(scope):
    triggers = set(scope.spec.start.trigger_specs)
    return [t for t in scope.task_tree.children if t.task_spec.name in triggers]
