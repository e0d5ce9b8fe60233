"""Compaction: a long-lived instance keeps in the engine's state only what can still matter.

SpiffWorkflow adds every round of a loop to the instance's task tree: the tree, every save
and every walk of it grow with the instance's history, and past ~1,000 levels the library
no longer sees the tasks still running. Our history already lives in its own tables
(written by the save that recorded each finished step), so older rounds can leave.

A round is cut out where a path from the root to a running task passes the same activity
twice: everything from the older pass up to the newer one goes, and the newer one hangs
where the older one hung — the tree of an instance that took the loop one round less.
Only finished work goes (with the finished branches beside it and the called processes
it ran), and only when every running task may still be sent back (退回) to exactly the
steps it could before; what remains on each path is the latest pass of each activity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState

from .task_tree import is_attached, return_targets

RUNNING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class _Cut:
    """Rounds planned out of one workflow: each kept task hangs under its new parent, in
    place of the first task of the rounds before it."""

    workflow: object
    live: set = field(default_factory=set)  # ids of tasks with unfinished work at or under them
    tried: set = field(default_factory=set)  # ids of tasks a cut was tried from
    relink: dict = field(default_factory=dict)  # kept task id -> (new parent, first cut task)
    removed: dict = field(default_factory=dict)  # task id -> task

    def parent_of(self, task):
        relinked = self.relink.get(task.id)
        return relinked[0] if relinked is not None else task.parent

    def add(self, parent, rounds: list, kept) -> bool:
        """Plan one cut of finished work, unless it overlaps one already planned."""
        if kept.id in self.removed or any(t.id in self.removed for t in rounds):
            return False
        for task, after in zip(rounds, [*rounds[1:], kept]):
            if not task.state & TaskState.FINISHED_MASK:
                return False
            if any(child != after.id and child in self.live for child in task._children):
                return False
        self.relink[kept.id] = (parent, rounds[0])
        self.removed.update((t.id, t) for t in _subtree_without(rounds[0], kept))
        return True


def compact(top) -> int:
    """Cut the finished rounds out of the running workflows of `top`; how many tasks went."""
    removed = 0
    for workflow in [top, *top.subprocesses.values()]:
        # A subprocess dropped with the rounds of its caller, cut earlier in this pass, is skipped.
        if workflow.completed or not is_attached(top, workflow):
            continue
        cut = _plan(workflow)
        if cut.removed and _same_return_targets(top, cut):
            removed += _apply(top, cut)
    return removed


def _plan(workflow) -> _Cut:
    cut = _Cut(workflow)
    for running in [t for t in workflow.tasks.values() if t.state & RUNNING]:
        chain = _ancestors(running)
        latest = {task.task_spec.name: index for index, task in enumerate(chain)}
        if len(latest) == len(chain):
            continue
        # Most saves pass no activity twice and stop above; the others pay for this.
        cut.live = cut.live or _live(workflow)
        index = 1
        while index < len(chain):
            # Running tasks share the start of their paths: each task is tried once.
            newer = None if chain[index].id in cut.tried else _round_end(chain, latest, index)
            cut.tried.add(chain[index].id)
            if newer is not None and cut.add(chain[index - 1], chain[index:newer], chain[newer]):
                index = newer
            index += 1
    return cut


def _live(workflow) -> set:
    """Tasks not finished, and every task above one: what a cut may not take."""
    live = set()
    for task in [t for t in workflow.tasks.values() if not t.state & TaskState.FINISHED_MASK]:
        while task is not None and task.id not in live:
            live.add(task.id)
            task = task.parent
    return live


def _round_end(chain: list, latest: dict, start: int) -> int | None:
    """The farthest later pass of `chain[start]`'s activity such that every activity passed
    in between is passed again from there on: what is cut is never the latest pass of
    anything."""
    name = chain[start].task_spec.name
    reach, found = latest[name], None
    for index in range(start + 1, len(chain)):
        if index > reach:
            break
        if chain[index].task_spec.name == name:
            found = index
        reach = min(reach, latest[chain[index].task_spec.name])
    return found


def _ancestors(task) -> list:
    """The running task's ancestors, the root first."""
    chain = []
    parent = task.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    chain.reverse()
    return chain


def _subtree_without(task, kept) -> list:
    """`task` with its descendants, except `kept` and what lies under it."""
    found, stack = [], [task]
    while stack:
        current = stack.pop()
        if current is not kept:
            found.append(current)
            stack.extend(current.children)
    return found


def _same_return_targets(top, cut: _Cut) -> bool:
    """Every running task may be sent back to the same steps on the planned tree."""
    for workflow in [top, *top.subprocesses.values()]:
        for task in workflow.tasks.values():
            if task.state & RUNNING:
                before = [t.id for t in return_targets(task)]
                if before != [t.id for t in return_targets(task, cut.parent_of)]:
                    return False
    return True


def _apply(top, cut: _Cut) -> int:
    workflow = cut.workflow
    for kept_id, (parent, first) in cut.relink.items():
        parent._children = [kept_id if child == first.id else child for child in parent._children]
        workflow.tasks[kept_id]._parent = parent.id
    for task_id in cut.removed:
        del workflow.tasks[task_id]
        top.event_manager.tasks.pop(task_id, None)
    _drop_subprocesses(top, set(cut.removed))
    if workflow.last_task is not None and workflow.last_task.id in cut.removed:
        workflow.last_task = None
    return len(cut.removed)


def _drop_subprocesses(top, owners: set) -> None:
    """The processes the removed tasks called or ran, and the ones those called in turn."""
    while owners:
        dropped = [top.subprocesses.pop(owner) for owner in owners if owner in top.subprocesses]
        owners = {task_id for subprocess in dropped for task_id in subprocess.tasks}
        for task_id in owners:
            top.event_manager.tasks.pop(task_id, None)
