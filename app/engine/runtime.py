"""The engine facade: start, restore, advance and save instances; the only SpiffWorkflow user."""
from __future__ import annotations

import json
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask as CamundaParallelMI,
    SequentialMultiInstanceTask as CamundaSequentialMI,
)
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from . import compaction, decision_history, decisions, event_subprocesses, expressions, signals, timers
from .decisions import DecisionOutcome
from . import multi_instance  # noqa: F401  (bounds every multi-instance activity when imported)
from .engine_clock import clock_scope
from .implicit_starts import implied
from .task_tree import give_new_id, is_attached, return_targets
from .token_move import move_token
from . import participants
from .timers import DEFAULT_MIN_CYCLE, timer_rules, workdays_helper
from .views import (
    ActivityState, MessageWait, ServiceTaskInfo, Snapshot, TimerInfo, UserTaskInfo,
)
from .errors import EngineError, NotWaitingForMessage, ScriptRefused, TaskNotReady
from .sandbox import RestrictedEnvironment
from .specs import PRIORITY_LITERAL, PRIORITY_MAX, PRIORITY_MIN, TopicServiceTask, make_serializer

MESSAGE_RESULT_VARIABLE = "_tic_message"
class WorkflowEngine:
    """Owns the serializer, the restricted script engine and the cache of parsed specs."""

    def __init__(self, clock, spec_cache_size: int = 256, time_limit_s: float = 2.0,
                 timer_min_cycle: timedelta = DEFAULT_MIN_CYCLE, workdays=None):
        """`workdays(start, n)`: n working days after start on the platform's calendar (with
        `.at` and `.weekends_only`), behind `${workdays(n)}`; None leaves it undefined."""
        self.clock = clock
        self.timer_min_cycle = timer_min_cycle
        self.serializer = make_serializer()
        self.workdays = workdays
        helpers = {} if workdays is None else {"workdays": workdays_helper(workdays, clock.now)}
        self.script_engine = PythonScriptEngine(
            environment=RestrictedEnvironment(helpers, time_limit_s=time_limit_s)
        )
        self._specs: OrderedDict[str, tuple] = OrderedDict()
        self._spec_cache_size = spec_cache_size

    @property
    def serializer_version(self) -> str:
        return self.serializer.VERSION

    def start(self, definition_id: str, spec_json: str, variables: dict) -> Execution:
        spec, subprocess_specs = self._spec(definition_id, spec_json)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        start = workflow.get_next_task(spec_name="Start")
        if start is not None:
            start.data.update(variables)
        execution = Execution(self, workflow)
        execution.run()
        return execution

    def restore(self, definition_id: str, spec_json: str, state_json: str) -> Execution:
        spec, subprocess_specs = self._spec(definition_id, spec_json)
        state = json.loads(state_json)
        version = state.pop(self.serializer.VERSION_KEY, None)
        if version != self.serializer.VERSION:
            state[self.serializer.VERSION_KEY] = version
            state["spec"], state["subprocess_specs"] = json.loads(spec_json).values()
            self.serializer.migrate(state)
            workflow = self.serializer.from_dict(state)
            _bind_collection_inputs(workflow.spec, *workflow.subprocess_specs.values())
        else:
            state["spec"] = spec
            state["subprocess_specs"] = dict(subprocess_specs)
            workflow = self.serializer.from_dict(state)
        workflow.script_engine = self.script_engine
        return Execution(self, workflow)

    def specs(self, definition_id: str, spec_json: str):
        """A definition's parsed (process, subprocesses) specs, as instances run on them."""
        return self._spec(definition_id, spec_json)

    def signal_catch_points(self, definition_id: str, spec_json: str) -> dict[str, frozenset[str]]:
        """Signal name -> the ids of the events of the definition that catch it."""
        return signals.catch_points(*self._spec(definition_id, spec_json))

    def evaluate(self, expression: str, data: dict):
        return self.script_engine.environment.evaluate(expression, dict(data))

    def evaluate_decision(self, definition_id: str, spec_json: str, variables: dict) -> DecisionOutcome:
        """The rules of the decision the process calls that match `variables` (nothing saved)."""
        spec, subprocess_specs = self._spec(definition_id, spec_json)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        with _engine_failures():
            return decisions.evaluate(workflow, dict(variables))

    def _spec(self, definition_id: str, spec_json: str):
        cached = self._specs.get(definition_id)
        if cached is not None:
            self._specs.move_to_end(definition_id)
            return cached
        stored = json.loads(spec_json)
        spec = self.serializer.from_dict(stored["spec"])
        subprocess_specs = {
            name: self.serializer.from_dict(value)
            for name, value in stored["subprocess_specs"].items()
        }
        _bind_collection_inputs(spec, *subprocess_specs.values())
        decision_history.record_evaluations(spec, *subprocess_specs.values())
        self._specs[definition_id] = (spec, subprocess_specs)
        if len(self._specs) > self._spec_cache_size:
            self._specs.popitem(last=False)
        return spec, subprocess_specs


def _bind_collection_inputs(*workflow_specs) -> None:
    """Bind `camunda:collection` as the input of Camunda multi-instance tasks at load.

    Spiff's Camunda MI task binds the collection as its data input only when it starts, by
    mutating its task spec; a freshly deserialized spec has lost that binding, so an instance
    restored there appended each element to the collection instead of updating it in place.
    """
    for workflow_spec in workflow_specs:
        for task_spec in workflow_spec.task_specs.values():
            if (
                isinstance(task_spec, (CamundaParallelMI, CamundaSequentialMI))
                and task_spec.cardinality is None
                and task_spec.data_input is None
                and task_spec.data_output is not None
                and task_spec.output_item is not None
            ):
                task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)


class Execution:
    """One loaded instance; every method leaves the workflow consistent or raises."""

    def __init__(self, engine: WorkflowEngine, workflow: BpmnWorkflow):
        self.engine = engine
        self.workflow = workflow
        self._snapshot: Snapshot | None = None

    def run(self) -> None:
        """Advance until only people, timers, messages or service handlers can move it."""
        self._snapshot = None
        with _engine_failures(), self._engine_time():
            self.workflow.do_engine_steps()
            while self._run_pass_through_tasks():
                self.workflow.do_engine_steps()

    @contextmanager
    def _engine_time(self, inclusive: bool = False):
        """Engine steps read the app's clock and arm timers under the app's rules."""
        with clock_scope(self.engine.clock, inclusive), timer_rules(self.engine.timer_min_cycle):
            yield

    def _run_pass_through_tasks(self) -> bool:
        """Camunda runs `task` and `manualTask` straight through; Spiff waits on them."""
        ran = False
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            if isinstance(task.task_spec, (NoneTask, ManualTask)) and not isinstance(
                task.task_spec, UserTask
            ):
                task.run()
                ran = True
        return ran

    @property
    def completed(self) -> bool:
        """Read with the snapshot, whose count of running tasks guards the library's walk."""
        return self.snapshot().completed

    def compact(self) -> int:
        """Let the finished rounds of loops leave the state (engine/compaction.py); call it
        once their steps are in the history tables. What a snapshot says of the running
        state stays true: it is kept."""
        return compaction.compact(self.workflow)

    def take_decisions(self) -> list[decision_history.DecisionEvaluation]:
        """The decision tables evaluated since the last call, in the order they ran."""
        return decision_history.take(self.workflow)

    def serialize(self) -> str:
        state = self.engine.serializer.to_dict(self.workflow)
        state[self.engine.serializer.VERSION_KEY] = self.engine.serializer.VERSION
        return json.dumps(state, cls=self.engine.serializer._encoder_cls, separators=(",", ":"))

    def user_tasks(self) -> list[UserTaskInfo]:
        return self.snapshot().user_tasks

    def _user_task_info(self, task) -> UserTaskInfo:
        spec = task.task_spec
        ext = spec.extensions or {}
        form_key = ext.get("formKey") or getattr(getattr(spec, "form", None), "key", None)
        element_variables = {}
        due = self._evaluated(ext.get("dueDate"), task)
        if getattr(spec, "input_item", None) is not None:
            name = spec.input_item.bpmn_id
            element_variables[name] = task.data.get(name)
        return UserTaskInfo(
            id=str(task.id),
            key=spec.bpmn_id,
            name=spec.bpmn_name,
            name_en=ext.get("name_en"),
            process_key=task.workflow.spec.name,
            candidate_groups=self._resolved_list(ext.get("candidateGroups"), task),
            candidate_users=self._resolved_list(ext.get("candidateUsers"), task),
            assignee=self._resolved(ext.get("assignee"), task),
            form_key=form_key,
            due=None if due is None else str(due),
            follow_up=self._resolved(ext.get("followUpDate"), task),
            priority=int(self._resolved(ext.get("priority"), task) or 50),
            element_variables=element_variables,
            due_weekends_only=getattr(due, "weekends_only", False),
        )

    def _resolved(self, text, task):
        value = self._evaluated(text, task)
        return None if value is None else str(value)

    def _evaluated(self, text, task):
        """A Camunda attribute's value; a lone `${expr}` keeps the type `expr` yields."""
        if not text:
            return None
        if not expressions.has_template(text):
            return text
        try:
            value = expressions.render_template(
                text, lambda expr: self.engine.evaluate(expr, task.data)
            )
        except Exception as error:
            raise EngineError(
                f"无法解析表达式 {text}：{error}", task.task_spec.bpmn_id, type(error).__name__
            ) from error
        return value

    def _resolved_list(self, text, task) -> list[str]:
        value = self._resolved(text, task)
        return [part.strip() for part in value.split(",") if part.strip()] if value else []

    def complete_user_task(self, task_id: str, variables: dict) -> None:
        task = self._task(task_id)
        if task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
            raise TaskNotReady(task_id)
        task.set_data(**variables)
        with _engine_failures(), self._engine_time():
            task.run()
        self.run()

    def return_targets(self, task_id: str) -> list[tuple[str, str | None]]:
        """The earlier user steps `task_id` may be sent back to (退回), nearest first: (id, name)."""
        return [(task.task_spec.bpmn_id, task.task_spec.bpmn_name)
                for task in return_targets(self._ready_user_task(task_id))]

    def return_to(self, task_id: str, activity_id: str, variables: dict) -> str:
        """Send the open task back to the latest run of `activity_id` on its path (退回).

        Spiff's reset puts the step back to READY with the data it started with: the answers
        given last time are put back so that the form opens pre-filled, then `variables`.
        Reset keeps the ids of the tasks it reopens, but those ids already have a finished
        history; they get new ids, as Camunda gives a reopened step a new task.
        Returns the reopened task's id.
        """
        target = self._return_target(self._ready_user_task(task_id), activity_id)
        answers = dict(target.data)
        finished = {t.id for t in self._all_tasks() if t.state & TaskState.FINISHED_MASK}
        self._snapshot = None
        with _engine_failures(), self._engine_time():
            self.workflow.reset_from_task_id(target.id)
        self._renew_reopened(finished)
        self._forget_removed_waits()
        target.data.update(answers)
        target.data.update(variables)
        self.run()
        return str(target.id)

    def move_token(self, from_activity: str, to_activity: str) -> None:
        """Cancel the token at `from_activity` and start before `to_activity`, then run on."""
        self._modify(move_token, from_activity, to_activity)

    def add_participant(self, activity_id: str, participant) -> None:
        """加签: one more instance of the running parallel multi-instance `activity_id`."""
        self._modify(participants.add, activity_id, participant)

    def remove_participant(self, activity_id: str, participant) -> None:
        """减签: take out the unfinished instance of `participant`."""
        self._modify(participants.remove, activity_id, participant)

    def _modify(self, change, *args) -> None:
        """An administrator's or the department's change of the running tree, then run on."""
        self._snapshot = None
        with _engine_failures(), self._engine_time():
            change(self.workflow, *args)
        self.run()

    def _ready_user_task(self, task_id: str):
        task = self._task(task_id)
        if task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
            raise TaskNotReady(task_id)
        return task

    def _return_target(self, current, activity_id: str):
        for task in return_targets(current):
            if task.task_spec.bpmn_id == activity_id:
                return task
        raise EngineError(self._why_not_returnable(activity_id), activity_id, "ReturnRefused")

    def _why_not_returnable(self, activity_id: str) -> str:
        specs = [s for s in self._all_task_specs() if s.bpmn_id == activity_id]
        name = next((s.bpmn_name for s in specs if s.bpmn_name), activity_id)
        if any(isinstance(s, MultiInstanceTask) for s in specs):
            return f"「{name}」是会签（多实例）步骤，不能退回到该步骤"
        if any(t.task_spec.bpmn_id == activity_id and t.state == TaskState.COMPLETED
               for t in self._all_tasks()):
            return f"「{name}」位于其他或已汇合的并行分支，只能退回到本分支已办理的步骤或并行开始之前的步骤"
        return f"「{name}」尚未办理过或不是人工任务，不能退回到该步骤"

    def _all_tasks(self) -> list:
        return self.workflow.get_tasks(state=TaskState.ANY_MASK)

    def _all_task_specs(self):
        for workflow_spec in (self.workflow.spec, *self.workflow.subprocess_specs.values()):
            yield from workflow_spec.task_specs.values()

    def _renew_reopened(self, finished: set) -> None:
        top = self.workflow
        for task in [t for t in self._all_tasks() if t.id in finished]:
            if not task.state & TaskState.FINISHED_MASK:
                give_new_id(task)
        for owner_id, subprocess in top.subprocesses.items():
            # Spiff leaves a finished subprocess marked completed when a step inside reopens.
            if subprocess.completed and not top.get_task_from_id(owner_id).state & TaskState.FINISHED_MASK:
                subprocess.completed = False

    def _forget_removed_waits(self) -> None:
        """Spiff's reset removes the steps after the target without taking their waiting
        events (a later step's deadline) off its list of listeners: the next engine step
        would fire a timer that is no longer in the tree."""
        top = self.workflow
        for task_id, task in list(top.event_manager.tasks.items()):
            if not is_attached(top, task.workflow) or task.workflow.tasks.get(task_id) is not task:
                del top.event_manager.tasks[task_id]

    def task_data(self, task_id: str) -> dict:
        return dict(self._task(task_id).data)

    def _task(self, task_id: str):
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, TaskNotFoundException):
            task = None
        if task is None:
            raise TaskNotReady(task_id)
        return task

    def service_tasks(self) -> list[ServiceTaskInfo]:
        return self.snapshot().service_tasks

    def external_task_priority(self, task_id: str) -> int:
        """The priority of a new external task: its `camunda:taskPriority` (or its
        process's) evaluated now with the instance's variables, as Camunda does when it
        creates the task; 0 without one. Anything but a whole number is the task's error."""
        task = self._task(task_id)
        written = getattr(task.task_spec, "priority", None)
        value = self._resolved(written, task) if written else "0"
        if value is None or not PRIORITY_LITERAL.match(value) or not PRIORITY_MIN <= int(value) <= PRIORITY_MAX:
            activity = task.task_spec.bpmn_id
            raise EngineError(
                f"外部任务「{activity}」的优先级 {written} 的值 {value} 不是 {PRIORITY_MIN}…{PRIORITY_MAX} 之间的整数 / "
                f"the priority {written} of external task {activity} is {value}, not a whole number in "
                f"{PRIORITY_MIN}…{PRIORITY_MAX}", activity, "TaskPriority")
        return int(value)

    def complete_service_task(self, task_id: str, variables: dict | None) -> None:
        task = self._task(task_id)
        if task.state != TaskState.STARTED or not isinstance(task.task_spec, TopicServiceTask):
            raise TaskNotReady(task_id)
        task.data.update(variables or {})
        task.complete()
        self.run()

    def throw_bpmn_error(self, task_id: str, error_code: str, variables: dict) -> bool:
        """A BPMN error on a waiting service task (Camunda's external task bpmnError) or a
        ready user task (its task bpmnError): the task's error boundary event for
        `error_code` catches it (one for that code before one for any code), with
        `variables`, and the instance runs on from there. False, nothing changed, when no
        boundary event of the task catches it."""
        task = self._task(task_id)
        waiting = ((task.state == TaskState.STARTED and isinstance(task.task_spec, TopicServiceTask))
                   or (task.state == TaskState.READY and isinstance(task.task_spec, UserTask)))
        if not waiting:
            raise TaskNotReady(task_id)
        event = BpmnEvent(ErrorEventDefinition(error_code, error_code), payload=dict(variables))
        catchers = [
            sibling for sibling in task.parent.children
            if sibling is not task and isinstance(sibling.task_spec, BoundaryEvent)
            and sibling.task_spec.catches(sibling, event)
        ]
        if not catchers:
            return False
        catcher = min(catchers, key=lambda t: t.task_spec.event_definition.code is None)
        self._snapshot = None
        with _engine_failures(), self._engine_time():
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)
        self.run()
        return True

    def timers(self) -> list[TimerInfo]:
        return self.snapshot().timers

    def fire_timer(self, execution_id: str) -> None:
        """Make one timer due now (a job executed early, as Camunda's execute does).

        The due instant becomes "just now", not a distant past: Spiff fires only when
        due < now, and a cycle computes its next tick from this instant (from a past
        date it would tick again on every engine step).
        """
        task = self._task(execution_id)
        just_now = (self.engine.clock.now() - timedelta(microseconds=1)).isoformat()
        value = task.internal_data.get("event_value")
        if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition) and isinstance(
            value, dict
        ):
            value["next"] = just_now
        else:
            task.internal_data["event_value"] = just_now
        self.refresh_timers()

    def set_timer_due(self, execution_id: str, due: datetime) -> None:
        """Give one waiting timer another due instant (a job's new due date); a cycle's
        next tick moves, the ticks after it keep their period."""
        task = self._task(execution_id)
        event = getattr(task.task_spec, "event_definition", None)
        if not isinstance(event, TimerEventDefinition) or task.state != TaskState.WAITING:
            raise TaskNotReady(execution_id)
        self._snapshot = None
        value = task.internal_data.get("event_value")
        if isinstance(event, CycleTimerEventDefinition) and isinstance(value, dict):
            value["next"] = due.isoformat()
        else:
            task.internal_data["event_value"] = due.isoformat()

    def recalculate_timer_due(self, execution_id: str, base: datetime) -> datetime:
        """Arm one waiting timer again as if at `base` (its creation or now): its expression
        evaluated on today's variables and calendar, a duration or cycle counted from `base`.
        Returns the new due instant, set as `set_timer_due` sets one."""
        task = self._task(execution_id)
        event = getattr(task.task_spec, "event_definition", None)
        if not isinstance(event, TimerEventDefinition) or task.state != TaskState.WAITING:
            raise TaskNotReady(execution_id)
        helpers = {} if self.engine.workdays is None else {
            "workdays": workdays_helper(self.engine.workdays, lambda: base)}
        with _engine_failures(), clock_scope(_FixedClock(base)), timer_rules(self.engine.timer_min_cycle):
            text = self.workflow.script_engine.evaluate(task, event.expression, external_context=helpers)
            due = timers.armed_at(event, text, base, self.engine.timer_min_cycle)
        self.set_timer_due(execution_id, due)
        return due

    def fire_due_timer(self, execution_id: str) -> None:
        """Fire this one timer if it is due (due <= now), then run on.

        The executor runs one job at a time: two timers of an instance due together (two
        deadlines of one task) then fire in turn, and the first may cancel the second as
        BPMN says, where refreshing every timer at once would fire both.
        """
        task = self._task(execution_id)
        with _engine_failures(), self._engine_time(inclusive=True):
            task.task_spec._update(task)
        self.run()

    def refresh_timers(self, inclusive: bool = False) -> None:
        """Fire the timers that are due.

        Spiff fires a timer when due < now; the job executor runs a job when due <= now.
        `inclusive` (the executor's pass) also fires a timer due exactly now, keeping a
        cycle's schedule (its next tick is the previous one plus the period).
        """
        with _engine_failures(), self._engine_time(inclusive):
            self.workflow.refresh_timers()
        self.run()

    def message_waits(self) -> list[MessageWait]:
        return self.snapshot().message_waits

    def deliver_message(self, name: str, variables: dict) -> None:
        waiting = [w for w in self.message_waits() if w.message_name == name]
        if not waiting:
            raise NotWaitingForMessage(name)
        starts = event_subprocesses.message_starts(self.workflow)
        waiting_tasks = [self.workflow.get_task_from_id(UUID(w.execution_id))
                         for w in waiting if w not in starts]
        scope, before = self.variables(), event_subprocesses.running(self.workflow)
        event = BpmnEvent(
            MessageEventDefinition(name),
            payload={"payload": dict(variables), "result_var": MESSAGE_RESULT_VARIABLE},
        )
        # A timer armed by the catch reads the app's clock and rules, like any other.
        with _engine_failures(), self._engine_time():
            event_subprocesses.arm(self.workflow, name)
            try:
                self.workflow.send_event(event)
            except WorkflowException as error:
                raise NotWaitingForMessage(name) from error
            begun = event_subprocesses.begun_since(self.workflow, before)
            event_subprocesses.begin(self.workflow, begun, scope)
        for task in [t for t in waiting_tasks if t is not None] + begun:
            if name in task.internal_data:
                task.data.update(variables)
        self.run()

    def deliver_signal(self, name: str, variables: dict) -> None:
        """Raises NotWaitingForSignal when no event of the instance waits for it."""
        with _engine_failures(), self._engine_time():
            signals.deliver(self.workflow, name, variables)
        self.run()

    def variables(self) -> dict:
        """Process variables as Camunda shows them: the data on the paths still running."""
        return self.snapshot().variables

    def set_variables(self, values: dict, removed: list[str]) -> None:
        """Set and remove process variables on every path still running (Camunda's
        instance-scope update). The finished steps on those paths change too: a waiting
        step takes its data from the step before it again when it goes on."""
        changed = set()
        for task in self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            while task is not None and task.id not in changed:
                changed.add(task.id)
                task.data.update(values)
                for name in removed:
                    task.data.pop(name, None)
                task = task.parent
        self._snapshot = None

    def activities(self) -> list[ActivityState]:
        return self.snapshot().activities

    def snapshot(self) -> Snapshot:
        """Read once per state: every change to the workflow goes through `run`, which drops it."""
        if self._snapshot is None:
            self._snapshot = self._read_snapshot()
        return self._snapshot

    def unchanged_since(self, snapshot: Snapshot) -> bool:
        """Nothing changed the workflow since `snapshot` was read of it."""
        return self._snapshot is snapshot

    def _read_snapshot(self) -> Snapshot:
        users, services, timers, messages, activities, running = [], [], [], [], [], []
        for task in self.workflow.get_tasks(state=TaskState.ANY_MASK):
            state = task.state
            if state & (TaskState.PREDICTED_MASK | TaskState.FUTURE):
                continue
            spec = task.task_spec
            if state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
                running.append(task)
            if spec.bpmn_id is None or implied(spec.bpmn_id):
                continue
            activities.append(ActivityState(
                str(task.id), spec.bpmn_id, spec.bpmn_name, _activity_type(spec),
                _state_name(state), task.last_state_change,
            ))
            if state == TaskState.READY and isinstance(spec, UserTask):
                users.append(self._user_task_info(task))
            elif state == TaskState.STARTED and isinstance(spec, TopicServiceTask):
                services.append(ServiceTaskInfo(str(task.id), spec.bpmn_id, spec.topic, spec.external))
            elif state == TaskState.WAITING and isinstance(spec, CatchingEvent):
                definition = spec.event_definition
                if isinstance(definition, TimerEventDefinition):
                    if not _cycles_done(task):
                        timers.append(TimerInfo(str(task.id), spec.bpmn_id, _due(task)))
                elif isinstance(definition, MessageEventDefinition):
                    messages.append(MessageWait(str(task.id), spec.bpmn_id, definition.name))
        self._require_all_seen(len(running))
        messages += event_subprocesses.message_starts(self.workflow)
        completed = self.workflow.is_completed()
        return Snapshot(users, services, timers, messages, activities,
                        self._variables(running, completed), completed)

    def _require_all_seen(self, seen: int) -> None:
        """Spiff walks a task tree at most 1,000 levels deep and reports an instance whose
        running tasks lie deeper as completed: a long loop whose rounds cannot be compacted
        (each leaves work running) would end on the wrong path without a word. Counted
        without the walk, a running task the walk missed refuses the command instead, and
        nothing of it is saved."""
        workflows = (self.workflow, *self.workflow.subprocesses.values())
        running = sum(1 for workflow in workflows for task in workflow.tasks.values()
                      if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED))
        if running > seen:
            raise _too_deep()

    def _variables(self, running, completed: bool) -> dict:
        if completed:
            data = dict(self.workflow.data)
        else:
            data = {}
            # A waiting boundary event holds a copy of what its activity started with: the
            # activity's own data is newer (a step sent back gets its answers put back).
            for task in sorted(running, key=lambda t: (not isinstance(t.task_spec, BoundaryEvent),
                                                       t.last_state_change)):
                data.update(task.data)
        return {k: v for k, v in data.items() if not k.startswith("_tic")}

    def cancel(self) -> None:
        self._snapshot = None
        self.workflow.cancel()


def _cycles_done(task) -> bool:
    """A cycle that ticked its last time (R2 after two ticks) has nothing left to schedule."""
    value = task.internal_data.get("event_value")
    return isinstance(value, dict) and value.get("cycles") == 0


class _FixedClock:
    """A clock that stays at one instant: a timer armed again as at its creation."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at


def _due(task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    due = datetime.fromisoformat(value)
    return due if due.tzinfo else due.replace(tzinfo=timezone.utc)


# Where the library's class names differ from Camunda's activity types (history, REST).
_CAMUNDA_TYPES = {
    "TopicServiceTask": "serviceTask", "TransactionSubprocess": "transaction",
    "AdHocSubprocess": "adHocSubProcess", "NoneTask": "task",
    "ParallelMultiInstanceTask": "multiInstanceBody", "SequentialMultiInstanceTask": "multiInstanceBody",
}
# The library builds an embedded subprocess as a call activity and a send task as a service
# task: those are told apart by the element they were parsed from.
_CAMUNDA_TYPES_BY_ELEMENT = {"Subprocess": "subProcess", "Send Task": "sendTask"}


def _activity_type(spec) -> str:
    name = type(spec).__name__
    return (_CAMUNDA_TYPES_BY_ELEMENT.get(spec.description) or _CAMUNDA_TYPES.get(name)
            or name[0].lower() + name[1:])


def _state_name(state: int) -> str:
    if state & TaskState.COMPLETED:
        return "completed"
    if state & TaskState.CANCELLED:
        return "cancelled"
    if state & TaskState.ERROR:
        return "error"
    return "active"


@contextmanager
def _engine_failures():
    """What the library raises while it steps is said as an EngineError. Its walks of the
    task tree recurse: a tree too deep for them is the same refusal as one too deep to see."""
    try:
        yield
    except (SpiffWorkflowException, ScriptRefused) as error:
        raise _engine_error(error) from error
    except RecursionError as error:
        raise _too_deep() from error


def _too_deep() -> EngineError:
    return EngineError(
        "流程实例的办理轮次过多（任务树已超过引擎可遍历的深度），引擎无法继续推进，本次操作未保存，请联系管理员 / "
        "the instance's task tree is deeper than the engine can walk; the command was not saved",
        None, "InstanceTooDeep")


def _engine_error(error: Exception) -> EngineError:
    task = getattr(error, "task", None)
    spec = task.task_spec if task is not None else None
    activity = spec.bpmn_id if spec is not None else None
    error_type = getattr(error, "error_type", None) or type(error).__name__
    refused = _refusal_behind(error)
    message = str(refused) if refused is not None else str(error)
    where = f"（{spec.bpmn_name}，{activity}）" if spec is not None and spec.bpmn_name else (
        f"（{activity}）" if activity else "")
    return EngineError(f"流程执行出错{where}：{message}", activity, error_type)


def _refusal_behind(error: BaseException | None) -> ScriptRefused | None:
    """The sandbox's own bilingual refusal, which Spiff wraps in its own exception."""
    for _ in range(5):
        if error is None or isinstance(error, ScriptRefused):
            return error
        error = error.__cause__ or error.__context__
    return None
