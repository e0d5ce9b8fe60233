"""The app's clock inside SpiffWorkflow: every timer reads it, so tests move time, never sleep."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer

_current_clock: contextvars.ContextVar = contextvars.ContextVar("engine_clock", default=None)


class _ClockDatetime(datetime):
    """Spiff reads `datetime.now` for every timer: route it through the app's clock."""

    @classmethod
    def now(cls, tz=None):
        clock = _current_clock.get()
        current = clock.now() if clock is not None else datetime.now(timezone.utc)
        return current.astimezone(tz) if tz is not None else current


spiff_timer.datetime = _ClockDatetime


def engine_now() -> datetime:
    """Now as SpiffWorkflow's timers see it: the app's clock inside `clock_scope`."""
    return _ClockDatetime.now(timezone.utc)


class _OneTickLater:
    """The app's clock one microsecond ahead: turns Spiff's `due < now` into `due <= now`."""

    def __init__(self, clock):
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now() + timedelta(microseconds=1)


@contextmanager
def clock_scope(clock, inclusive: bool = False):
    """Run engine steps on `clock`; `inclusive` also fires a timer due exactly now."""
    token = _current_clock.set(_OneTickLater(clock) if inclusive else clock)
    try:
        yield
    finally:
        _current_clock.reset(token)
