"""Who may send a message: a correlation is a write, and each message is the action it stands
for (撤回, 退出评估), so its sender is decided by that action's rule."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import ServiceError
from app.core.identity import Actor
from app.models import ProcessInstance


@dataclass(frozen=True)
class Sender:
    """`refusal(actor, instance row, its stored values)` is the refusal of a sender who may
    not, None for one who may; `actor_variable` records who sent it (set by the platform
    after the message's own variables, never by the client)."""

    refusal: Callable[[Actor, ProcessInstance, dict], ServiceError | None]
    actor_variable: str | None = None
