"""What every use case needs besides its arguments: database, engine, clock, settings, the
restored workflows kept between commands, and what the app plugged in (handlers, case numbers)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.clock import Clock
from app.config import Settings
from app.db import Database
from app.engine.runtime import Execution, WorkflowEngine

from app.core.senders import Sender


# The business key of a start that came without one: (process key, now) -> the key, or None
# to leave the instance without one. The cases number their own processes; the app hands
# their scheme in, so the platform never imports them.
BusinessKeyMinter = Callable[[str, datetime], str | None]


def no_business_key(_process_key: str, _now: datetime) -> None:
    return None


# A rule the app checks before a person's start: (session, process key, the start's
# variables, now) -> variables the instance starts with besides them; raising a ServiceError
# refuses the start. The cases decide (application rounds); the platform only asks.
StartCheck = Callable[..., dict]


def no_start_check(_session, _process_key: str, _variables: dict, _now: datetime) -> dict:
    return {}


# (process key, end event id, its (Chinese, English) names, variables) -> the ending in
# words, (Chinese, English).
OutcomeWords = Callable[[str, str | None, tuple[str | None, str | None], dict], tuple[str | None, str | None]]


def end_event_name(_process_key: str, end_id: str | None, names: tuple[str | None, str | None],
                   _values: dict) -> tuple[str | None, str | None]:
    chinese = names[0] or end_id
    return chinese, names[1] or chinese


class WorkflowCache(Protocol):
    """The restored workflows of recently saved instances (the platform's `InstanceCache`)."""

    def take(self, instance_id: str, version: int) -> Execution | None: ...

    def put(self, instance_id: str, version: int, execution: Execution) -> None: ...


class Handlers(Protocol):
    """The service-task handlers, completion listeners and message senders the app plugged
    in (the `HandlerRegistry` of `app.core.extensions`), as the platform reads them."""

    def handler(self, topic: str) -> Callable | None: ...

    def topics(self) -> set[str]: ...

    def listeners(self, process_key: str, task_key: str) -> list[Callable]: ...

    def sender(self, message_name: str) -> Sender | None: ...


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    engine: WorkflowEngine
    instances: WorkflowCache
    handlers: Handlers
    caches: dict = field(default_factory=dict)
    mint_business_key: BusinessKeyMinter = no_business_key
    check_start: StartCheck = no_start_check
    outcome_words: OutcomeWords = end_event_name

    def now(self):
        return self.clock.now()

