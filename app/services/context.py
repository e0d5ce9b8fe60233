"""What every use case needs besides its arguments: database, engine, clock, settings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app.clock import Clock
from app.config import Settings
from app.db import Database
from app.engine.runtime import WorkflowEngine

from .instance_cache import InstanceCache


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    engine: WorkflowEngine
    instances: InstanceCache
    caches: dict = field(default_factory=dict)

    def now(self):
        return self.clock.now()


def build_context(settings: Settings, clock: Clock | None = None) -> AppContext:
    clock = clock or Clock()
    return AppContext(
        settings=settings,
        db=Database(settings.database_url),
        clock=clock,
        engine=WorkflowEngine(clock, timer_min_cycle=timedelta(seconds=settings.timer_min_cycle_seconds)),
        instances=InstanceCache(settings.instance_cache_size),
    )
