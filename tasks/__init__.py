"""Service-task handlers, one module per topic, registered by topic name.

A handler is `handler(ctx: ServiceContext) -> dict | None`: it reads the instance's
variables from `ctx.variables`, may write to the database through `ctx.session`, and
returns the variables to set on the instance. Raising fails the task (retry, then incident).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[["ServiceContext"], "dict | None"]

_HANDLERS: dict[str, Handler] = {}
_loaded = False


@dataclass
class ServiceContext:
    topic: str
    process_instance_id: str
    business_key: str | None
    activity_id: str
    variables: dict[str, Any]
    session: Any = None
    now: Any = None
    app: Any = None


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `topic`."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[topic] = fn
        return fn

    return register


def get_handler(topic: str) -> Handler | None:
    _load_builtin_handlers()
    return _HANDLERS.get(topic)


def known_topics() -> set[str]:
    _load_builtin_handlers()
    return set(_HANDLERS)


def _load_builtin_handlers() -> None:
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


class Refused(Exception):
    """A task listener refuses the submitted values; `errors` are `{field, message}` in Chinese."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))


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
    session: Any = None
    now: Any = None
    app: Any = None


TaskListener = Callable[[TaskEvent], None]
_LISTENERS: dict[tuple[str, str], list[TaskListener]] = {}


def on_complete(process_key: str, task_key: str) -> Callable[[TaskListener], TaskListener]:
    """Register a listener run when `task_key` of `process_key` is completed.

    It runs inside the completing command, before the engine moves on: it may check the
    values (raise `Refused`) or record business data in the command's transaction.
    """

    def register(fn: TaskListener) -> TaskListener:
        _LISTENERS.setdefault((process_key, task_key), []).append(fn)
        return fn

    return register


def completion_listeners(process_key: str, task_key: str) -> list[TaskListener]:
    _load_builtin_handlers()
    return list(_LISTENERS.get((process_key, task_key), ()))
