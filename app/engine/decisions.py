"""A decision table tried on sample inputs (试算): the rules that match and what each outputs.

The table runs inside the workflow of a process calling it, with the engine's own DMN engine
and restricted evaluator, so a cell means exactly what it means in a running process. The
workflow is stepped up to its business rule task, which is asked for its matching rules
instead of being run: a process only sees the merged outputs, an analyst wants the rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.task import TaskState

# The caller is start event → business rule task; a few steps more mean another diagram.
_MAX_STEPS = 10


@dataclass(frozen=True)
class MatchedRule:
    """A rule the hit policy kept, with its outputs by output name (as written, dots kept) and
    its annotation (where the tables of bpmn/ cite their rule, e.g. R05)."""

    rule_id: str
    row: int
    outputs: dict
    description: str


@dataclass(frozen=True)
class DecisionOutcome:
    hit_policy: str
    matched: list[MatchedRule]


def evaluate(workflow: BpmnWorkflow, variables: dict) -> DecisionOutcome:
    """The outcome of the first decision `workflow` reaches, for `variables`."""
    workflow.get_next_task(spec_name="Start").data.update(variables)
    task = _decision_task(workflow)
    table = task.task_spec.dmnEngine.decision_table
    rules = task.task_spec.dmnEngine.decide(task)
    # UNIQUE and FIRST yield the first match in this engine; only COLLECT keeps them all.
    kept = rules if table.hit_policy == "COLLECT" else rules[:1]
    return DecisionOutcome(table.hit_policy, [
        MatchedRule(rule.id, rule.row_number, _outputs(rule, task), rule.description or "") for rule in kept
    ])


def _decision_task(workflow: BpmnWorkflow):
    for _ in range(_MAX_STEPS):
        ready = workflow.get_tasks(state=TaskState.READY)
        if not ready:
            break
        for task in ready:
            if isinstance(task.task_spec, BusinessRuleTaskMixin):
                return task
        ready[0].run()
    raise ValueError("the workflow reaches no business rule task")


def _outputs(rule, task) -> dict:
    """Each output entry evaluated as `Rule.output_as_dict` does, without nesting dotted names."""
    script_engine = task.workflow.script_engine
    outputs = {}
    for entry in rule.outputEntries:
        name = entry.output.name or entry.output.label
        outputs[name] = script_engine.evaluate(task, entry.text) if entry.text else ""
    return outputs
