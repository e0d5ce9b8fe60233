"""BPMN signals: where a definition catches each signal, and delivering one to a loaded
workflow. A signal is broadcast (Camunda's POST /signal): the app finds the instances at a
catching point and hands it to each; nothing needs a subscription row, since a signal
carries no correlation to match."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

from .errors import NotWaitingForSignal


def catch_points(process_spec, subprocess_specs: dict) -> dict[str, frozenset[str]]:
    """Signal name -> the ids of the events that catch it (intermediate, boundary, event
    subprocess starts), in the process and the processes it calls."""
    points: dict[str, set[str]] = {}
    for workflow_spec in (process_spec, *subprocess_specs.values()):
        for task_spec in workflow_spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(task_spec, CatchingEvent) and isinstance(definition, SignalEventDefinition):
                points.setdefault(definition.name, set()).add(task_spec.bpmn_id)
    return {name: frozenset(ids) for name, ids in points.items()}


def deliver(workflow: BpmnWorkflow, name: str, variables: dict) -> None:
    """Every event of the workflow waiting for the signal catches it; `variables` become
    the data of the path it continues."""
    waiting = [task for task in workflow.get_tasks(state=TaskState.WAITING)
               if isinstance(task.task_spec, CatchingEvent)
               and isinstance(task.task_spec.event_definition, SignalEventDefinition)
               and task.task_spec.event_definition.name == name]
    if not waiting:
        raise NotWaitingForSignal(name)
    workflow.send_event(BpmnEvent(SignalEventDefinition(name), payload=dict(variables)))
