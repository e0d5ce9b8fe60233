"""Our task specs and parser classes on top of SpiffWorkflow's Camunda support."""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ReceiveTask, ServiceTask
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS, BusinessRuleTaskParser, CamundaTaskParser, UserTaskParser,
)
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.dmn.serializer.task_spec import BaseBusinessRuleTaskConverter
from SpiffWorkflow.util.deep_merge import DeepMerge

from .decision_binding import table_for
from .resource_roles import owners

USER_TASK_ATTRIBUTES = (
    "candidateGroups", "candidateUsers", "assignee", "formKey", "dueDate", "followUpDate",
    "priority",
)


class TopicServiceTask(ServiceTask):
    """A service task done by a handler of `topic`.

    It parks in STARTED (like an external task) so that the handler runs outside the engine
    step: a failing handler then leaves the instance exactly as it was before the call.
    """

    def __init__(self, wf_spec, bpmn_id, topic=None, external=False, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic
        self.external = external

    def _run_hook(self, my_task):
        return None


class TopicServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["topic"] = spec.topic
        dct["external"] = spec.external
        return dct

    def from_dict(self, dct):
        return self.task_spec_from_dict(dct)


def _camunda_attribute(node, name):
    return node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")


class ServiceTaskParser(CamundaTaskParser):
    def create_task(self):
        topic = _camunda_attribute(self.node, "topic")
        external = _camunda_attribute(self.node, "type") == "external"
        return self.spec_class(
            self.spec, self.bpmn_id, topic=topic, external=external, **self.bpmn_attributes
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


class LatestDecisionTask(BusinessRuleTask):
    """A business rule task that evaluates the latest deployed version of its decision
    (`decision_binding`); the table compiled in at deploy is the fallback. Errors are
    reported as SpiffWorkflow's own task reports them (`BusinessRuleTaskMixin`)."""

    def __init__(self, wf_spec, bpmn_id, dmnEngine, decision_ref=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, dmnEngine, **kwargs)
        self.decision_ref = decision_ref

    def _run_hook(self, my_task):
        table = table_for(self.decision_ref, self.dmnEngine)
        try:
            my_task.data = DeepMerge.merge(my_task.data, table.result(my_task))
        except SpiffWorkflowException as error:
            error.add_note(f"Business Rule Task '{my_task.task_spec.bpmn_name}'.")
            raise
        except Exception as error:
            raised = WorkflowTaskException(str(error), task=my_task)
            raised.add_note(f"Business Rule Task '{my_task.task_spec.bpmn_name}'.")
            raise raised from error
        return True


class LatestDecisionTaskParser(BusinessRuleTaskParser):
    def create_task(self):
        decision_ref = self.get_decision_ref(self.node)
        return LatestDecisionTask(
            self.spec, self.bpmn_id, dmnEngine=self.process_parser.parser.get_engine(decision_ref, self.node),
            decision_ref=decision_ref, **self.bpmn_attributes,
        )


class LatestDecisionTaskConverter(BaseBusinessRuleTaskConverter):
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["decision_ref"] = spec.decision_ref
        return dct


class CamundaReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):
    """A receive task waits for its message as a Camunda message catch event does (the
    library's own parser gives it a message definition that Camunda's serializer lacks)."""

    def create_task(self):
        return ReceiveTaskParser.create_task(self)


class TicParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (AssignableUserTaskParser, UserTask),
        full_tag("serviceTask"): (ServiceTaskParser, TopicServiceTask),
        full_tag("sendTask"): (ServiceTaskParser, TopicServiceTask),
        full_tag("businessRuleTask"): (LatestDecisionTaskParser, LatestDecisionTask),
        full_tag("receiveTask"): (CamundaReceiveTaskParser, ReceiveTask),
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
    config[LatestDecisionTask] = LatestDecisionTaskConverter
    config[BpmnWorkflow] = InstanceStateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
