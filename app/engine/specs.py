"""Our task specs and parser classes on top of SpiffWorkflow's Camunda support."""
from __future__ import annotations

import re

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BoundaryEventConverter, BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ReceiveTask, ServiceTask, StartEvent
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser, CamundaStartEventParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS, CamundaTaskParser, UserTaskParser,
)
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.user_task import UserTask

from .resource_roles import owners

# An external task's priority as Camunda's REST sets it (a 32-bit integer), when written
# as a number rather than an expression.
PRIORITY_MIN, PRIORITY_MAX = -(2**31), 2**31 - 1
PRIORITY_LITERAL = re.compile(r"^\s*-?\d{1,10}\s*$")

USER_TASK_ATTRIBUTES = (
    "candidateGroups", "candidateUsers", "assignee", "formKey", "dueDate", "followUpDate",
    "priority",
)


class TopicServiceTask(ServiceTask):
    """A service task done by a handler of `topic`.

    It parks in STARTED (like an external task) so that the handler runs outside the engine
    step: a failing handler then leaves the instance exactly as it was before the call.
    """

    def __init__(self, wf_spec, bpmn_id, topic=None, external=False, priority=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic
        self.external = external
        # `camunda:taskPriority` as written (a number or an expression), for an external task.
        self.priority = priority

    def _run_hook(self, my_task):
        return None


class TopicServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["topic"] = spec.topic
        dct["external"] = spec.external
        dct["priority"] = spec.priority
        return dct

    def from_dict(self, dct):
        return self.task_spec_from_dict(dct)


def _camunda_attribute(node, name):
    return node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")


def task_priority_of(node) -> str | None:
    """An external task's `camunda:taskPriority`, else its process's, which Camunda takes as
    the default of every external task in it (subprocesses included)."""
    own = _camunda_attribute(node, "taskPriority")
    if own is not None:
        return own
    process = next((p for p in node.iterancestors(full_tag("process"))), None)
    return None if process is None else _camunda_attribute(process, "taskPriority")


class ServiceTaskParser(CamundaTaskParser):
    def create_task(self):
        topic = _camunda_attribute(self.node, "topic")
        external = _camunda_attribute(self.node, "type") == "external"
        priority = task_priority_of(self.node) if external else None
        return self.spec_class(
            self.spec, self.bpmn_id, topic=topic, external=external, priority=priority, **self.bpmn_attributes
        )


class AssignableUserTaskParser(UserTaskParser):
    """Camunda's parser drops candidate groups, users and assignee, and every parser drops
    potentialOwner and humanPerformer: keep them."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        for attribute in USER_TASK_ATTRIBUTES:
            value = _camunda_attribute(self.node, attribute)
            if value is not None:
                extensions[attribute] = value
        extensions.update(owners(self.node))
        return extensions


class CamundaReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):
    """A receive task waits for its message as a Camunda message catch event does (the
    library's own parser gives it a message definition that Camunda's serializer lacks)."""

    def create_task(self):
        return ReceiveTaskParser.create_task(self)


class EventSubprocessStart(StartEvent):
    """The start event of an event subprocess, with its isInterrupting (as `cancel_activity`,
    the name Spiff gives a boundary event's), which Spiff's parser drops and Spiff ignores:
    the runtime ends the rest of the process when an interrupting one starts."""

    def __init__(self, wf_spec, bpmn_id, event_definition, cancel_activity=True, **kwargs):
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)
        self.cancel_activity = cancel_activity


class StartEventParser(CamundaStartEventParser):
    def create_task(self):
        if self.node.getparent().get("triggeredByEvent") == "true":
            self.spec_class = EventSubprocessStart
        return super().create_task()

    def _create_task(self, event_definition, cancel_activity=None, parallel=None):
        if self.spec_class is EventSubprocessStart:
            cancel_activity = self.node.get("isInterrupting", "true").strip().lower() != "false"
        return super()._create_task(event_definition, cancel_activity, parallel)


class TicParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (AssignableUserTaskParser, UserTask),
        full_tag("serviceTask"): (ServiceTaskParser, TopicServiceTask),
        full_tag("sendTask"): (ServiceTaskParser, TopicServiceTask),
        full_tag("receiveTask"): (CamundaReceiveTaskParser, ReceiveTask),
        full_tag("startEvent"): (StartEventParser, StartEvent),
    }


class InstanceStateConverter(BpmnWorkflowConverter):
    """An instance's state without its specs: they are stored once per definition version
    and handed back as objects on restore, so converting them on every save is waste."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def make_serializer() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config[TopicServiceTask] = TopicServiceTaskConverter
    config[EventSubprocessStart] = BoundaryEventConverter
    config[BpmnWorkflow] = InstanceStateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
