"""What the app plugs into the platform when it is assembled: the service-task handlers and
completion listeners of its processes and who may send their messages, one registry held by
the app context.

The platform runs whatever is registered here and never imports the modules that provide
it; the app registers them (`app.assembly`) from an explicit list, `tasks.MODULES`.

A handler is `handler(event: ServiceTaskEvent) -> dict | None`: it reads the instance's
variables, may write through `event.session` (the command's transaction), and returns the
variables to set on the instance; raising fails the task (retry, then incident). A
completion listener runs inside the completing command, before the engine moves on: it may
check the submitted values (raise `Refused`) or record business data. A message sender rule
says who may correlate a message (a message is the action it stands for, e.g. 退出评估).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.core.senders import Sender


@dataclass
class ServiceTaskEvent:
    """A service task is due: its topic, where it stands and the instance's variables."""

    topic: str
    process_instance_id: str
    business_key: str | None
    activity_id: str
    variables: dict[str, Any]
    session: Session
    now: datetime
    app: AppContext


@dataclass
class TaskEvent:
    """A person is completing a user task: the values they submit and where they stand."""

    process_key: str
    task_key: str
    task_id: str
    process_instance_id: str
    business_key: str | None
    actor_id: str
    actor_organization_id: str
    values: dict[str, Any]
    variables: dict[str, Any]
    session: Session
    now: datetime
    app: AppContext


class Refused(Exception):
    """A completion listener refuses the submitted values; `errors` are `{field, message}`
    in Chinese."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))


Handler = Callable[[ServiceTaskEvent], "dict | None"]
TaskListener = Callable[[TaskEvent], None]


@dataclass(frozen=True)
class TopicInfo:
    """What an analyst needs to pick a topic in the modeler: its Chinese title and the
    process variables its handler reads and writes (the element template shows them)."""

    topic: str
    title: str
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()


def handler(topic: str, title: str = "", reads: Iterable[str] = (),
            writes: Iterable[str] = ()) -> Callable[[Handler], Handler]:
    """Mark the decorated function as the handler of `topic` (registered with its module);
    `title`, `reads` and `writes` describe it to analysts."""

    def mark(fn: Handler) -> Handler:
        fn.service_topic = topic
        fn.topic_info = TopicInfo(topic, title or topic, tuple(reads), tuple(writes))
        return fn

    return mark


def on_complete(process_key: str, task_key: str) -> Callable[[TaskListener], TaskListener]:
    """Mark the decorated function as a listener of the completion of `task_key` of
    `process_key` (registered with its module)."""

    def mark(fn: TaskListener) -> TaskListener:
        fn.completes = (*getattr(fn, "completes", ()), (process_key, task_key))
        return fn

    return mark


class HandlerRegistry:
    """The handlers by topic and the completion listeners by (process key, task key)."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._infos: dict[str, TopicInfo] = {}
        self._listeners: dict[tuple[str, str], list[TaskListener]] = {}
        self._senders: dict[str, Sender] = {}

    def add_handler(self, topic: str, fn: Handler) -> None:
        if topic in self._handlers and self._handlers[topic] is not fn:
            raise ValueError(f"two handlers for topic {topic!r}")
        self._handlers[topic] = fn
        self._infos[topic] = getattr(fn, "topic_info", None) or TopicInfo(topic, topic)

    def add_listener(self, process_key: str, task_key: str, fn: TaskListener) -> None:
        listeners = self._listeners.setdefault((process_key, task_key), [])
        if fn not in listeners:
            listeners.append(fn)

    def add_senders(self, senders: dict[str, Sender]) -> None:
        self._senders.update(senders)

    def register_modules(self, modules: Iterable[ModuleType]) -> None:
        """Register every function the modules marked with `handler` or `on_complete`."""
        for module in modules:
            for fn in vars(module).values():
                if getattr(fn, "__module__", None) != module.__name__:
                    continue
                if hasattr(fn, "service_topic"):
                    self.add_handler(fn.service_topic, fn)
                for process_key, task_key in getattr(fn, "completes", ()):
                    self.add_listener(process_key, task_key, fn)

    def handler(self, topic: str) -> Handler | None:
        return self._handlers.get(topic)

    def topics(self) -> set[str]:
        return set(self._handlers)

    def topic_infos(self) -> list[TopicInfo]:
        """Every registered topic described, by topic."""
        return [self._infos[topic] for topic in sorted(self._infos)]

    def listeners(self, process_key: str, task_key: str) -> list[TaskListener]:
        return list(self._listeners.get((process_key, task_key), ()))

    def sender(self, message_name: str) -> Sender | None:
        return self._senders.get(message_name)
