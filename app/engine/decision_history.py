"""What each decision a process evaluates saw and gave: the value of every input, the rules
its hit policy kept and what each output, as Camunda's history keeps them
(`/history/decision-instance`) and the case page shows them (决策记录).

SpiffWorkflow's business rule task asks its DMN engine for the merged outputs only. Every
business rule task of a loaded definition gets an engine that also notes, on the instance's
top workflow, what it evaluated; `Execution.take_decisions` hands the notes to the save
that writes them. A note lives only in memory: a command that fails drops its workflow
with them.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.dmn.specs.model import HitPolicy

from .xml_safety import parse_xml

_NOTES = "_ticflow_decisions"


@dataclass(frozen=True)
class DecisionInput:
    clause_id: str
    clause_name: str | None
    expression: str
    value: object
    error: str | None


@dataclass(frozen=True)
class DecisionOutput:
    clause_id: str
    clause_name: str | None
    variable_name: str
    rule_id: str
    rule_order: int
    value: object


@dataclass(frozen=True)
class DecisionEvaluation:
    """One evaluation of a decision table by a business rule task."""

    table_id: str
    table_name: str | None
    activity_id: str
    activity_name: str | None
    activity_instance_id: str
    hit_policy: str
    inputs: list[DecisionInput]
    outputs: list[DecisionOutput]


class RecordingDMNEngine(DMNEngine):
    """The library's engine, noting each evaluation a business rule task asks it for."""

    def result(self, task):
        rules = self.decide(task)
        _notes(task).append(_evaluation(self.decision_table, task, rules))
        # As DMNEngine.result, from the rules decided once.
        if self.decision_table.hit_policy == HitPolicy.COLLECT.value:
            merged: dict = {}
            for rule in rules:
                for key, value in rule.output_as_dict(task).items():
                    merged.setdefault(key, []).append(value)
            return merged
        return rules[0].output_as_dict(task) if rules else {}


def record_evaluations(*workflow_specs) -> None:
    """Give every business rule task of the loaded specs the recording engine."""
    for workflow_spec in workflow_specs:
        for task_spec in workflow_spec.task_specs.values():
            engine = getattr(task_spec, "dmnEngine", None)
            if isinstance(task_spec, BusinessRuleTaskMixin) and not isinstance(engine, RecordingDMNEngine):
                task_spec.dmnEngine = RecordingDMNEngine(engine.decision_table)


def table_ids(dmn_xml: bytes, decision_key: str) -> list[str]:
    """The ids of the decision tables of decision `decision_key` in a stored DMN file (any
    DMN version's namespace): how an evaluation, which knows its table, finds its decision."""
    root = parse_xml(dmn_xml, f"{decision_key}.dmn").getroot()
    return root.xpath("//*[local-name()='decision'][@id=$key]/*[local-name()='decisionTable']/@id",
                      key=decision_key)


def take(workflow) -> list[DecisionEvaluation]:
    """The evaluations noted on `workflow` since the last call, in the order they ran."""
    return workflow.__dict__.pop(_NOTES, [])


def _notes(task) -> list:
    return task.workflow.top_workflow.__dict__.setdefault(_NOTES, [])


def _evaluation(table, task, rules) -> DecisionEvaluation:
    kept = rules if table.hit_policy == HitPolicy.COLLECT.value else rules[:1]
    return DecisionEvaluation(
        table_id=table.id, table_name=table.name or None, activity_id=task.task_spec.bpmn_id,
        activity_name=task.task_spec.bpmn_name, activity_instance_id=str(task.id), hit_policy=table.hit_policy,
        inputs=[_input(clause, task) for clause in table.inputs],
        outputs=[output for rule in kept for output in _outputs(rule, task)],
    )


def _input(clause, task) -> DecisionInput:
    expression = clause.expression or clause.label or ""
    try:
        value, error = task.workflow.script_engine.evaluate(task, expression), None
    except Exception as failure:  # the rules decided without it: an input that failed is noted as such
        value, error = None, str(failure)[:500]
    return DecisionInput(clause.id, clause.label or None, expression, value, error)


def _outputs(rule, task) -> list[DecisionOutput]:
    script_engine = task.workflow.script_engine
    return [
        DecisionOutput(entry.output.id, entry.output.label or None, entry.output.name or entry.output.label,
                       rule.id, rule.row_number,
                       script_engine.evaluate(task, entry.text) if entry.text else "")
        for entry in rule.outputEntries
    ]
