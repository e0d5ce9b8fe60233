"""The app assembled: the workflow platform with the TIC cases plugged in.

This is the one place that knows both: it builds the context the platform runs on and hands
it what the cases provide (the handlers and listeners of `tasks/`, the case numbers), so
neither the platform nor core ever imports a case or a handler."""
from __future__ import annotations

from datetime import timedelta

import tasks
from app.clock import Clock
from app.config import Settings
from app.core.context import AppContext
from app.core.extensions import HandlerRegistry
from app.db import Database
from app.engine.runtime import WorkflowEngine
from app.platform import working_calendar
from app.platform.instance_cache import InstanceCache
from app.tic import case_numbers, evaluations, objections, outcomes, rounds


def tic_handlers() -> HandlerRegistry:
    """The service-task handlers and completion listeners of the TIC processes, and who may
    send their messages."""
    registry = HandlerRegistry()
    registry.register_modules(tasks.MODULES)
    registry.add_senders(evaluations.MESSAGE_SENDERS)
    registry.add_senders(objections.MESSAGE_SENDERS)
    return registry


def build_context(settings: Settings, clock: Clock | None = None) -> AppContext:
    clock = clock or Clock()
    db = Database(settings.database_url, settings.db_pool_size, settings.db_max_overflow,
                  settings.db_synchronous_commit)
    return AppContext(
        settings=settings,
        db=db,
        clock=clock,
        engine=WorkflowEngine(clock, timer_min_cycle=timedelta(seconds=settings.timer_min_cycle_seconds),
                              workdays=working_calendar.engine_function(db)),
        instances=InstanceCache(settings.instance_cache_size),
        handlers=tic_handlers(),
        mint_business_key=case_numbers.mint,
        check_start=rounds.round_for_start,
        outcome_words=outcomes.in_words,
    )
