"""How many instances one multi-instance activity (会签, an expert panel) may start.

SpiffWorkflow creates every instance of a parallel activity at once, and a sequential one
counts to its cardinality: a model or a variable asking for a billion fills a worker's
memory or keeps it busy for hours. The count is checked before any instance is made; a
literal beyond the limit is refused at deploy (lint.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Sized

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

# Far above any panel or countersignature the procedures know; far below what hurts.
MAX_INSTANCES = 1000


def too_many(count: int) -> tuple[str, str] | None:
    """Why `count` instances are refused, in Chinese and English (None: they are not)."""
    if count <= MAX_INSTANCES:
        return None
    return (f"多实例数量为 {count}，超过上限 {MAX_INSTANCES}",
            f"a multi-instance activity may start at most {MAX_INSTANCES} instances ({count} asked)")


def _planned(spec, my_task) -> int | None:
    if spec.data_input is not None:
        collection = spec.data_input.get(my_task)
        return len(collection) if isinstance(collection, Sized) else None
    if spec.cardinality is None:
        return None
    count = my_task.workflow.script_engine.evaluate(my_task, spec.cardinality)
    return count if isinstance(count, int) else None


def _missing_collection(spec, my_task) -> str | None:
    """The name of the collection an activity iterates when it has none to iterate (a
    variable not set): the library would fail with a bare TypeError."""
    if spec.data_input is None or isinstance(spec.data_input.get(my_task), Iterable):
        return None
    return spec.data_input.bpmn_id


def _name(spec, my_task) -> str:
    """The activity's name: Spiff keeps it on the spec of the instances, not on the whole."""
    inner = my_task.workflow.spec.task_specs.get(spec.task_spec)
    return spec.bpmn_name or getattr(inner, "bpmn_name", None) or spec.bpmn_id


def _install() -> None:
    original = MultiInstanceTask._update_hook

    def bounded_update_hook(self, my_task):
        refusal = too_many(_planned(self, my_task) or 0)
        if refusal:
            raise WorkflowTaskException(f"「{_name(self, my_task)}」" + " / ".join(refusal), task=my_task)
        missing = _missing_collection(self, my_task)
        if missing:
            raise WorkflowTaskException(
                f"「{_name(self, my_task)}」的多实例集合变量 {missing} 不存在或不是列表 / "
                f"the multi-instance collection {missing} is missing or not a list", task=my_task)
        return original(self, my_task)

    MultiInstanceTask._update_hook = bounded_update_hook


_install()
