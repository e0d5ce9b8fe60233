"""What every use case needs besides its arguments: database, engine, clock, settings."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.clock import Clock
from app.config import Settings
from app.db import Database
from app.engine.runtime import WorkflowEngine

from .instance_cache import InstanceCache


# The business key of a start that came without one: (process key, now) -> the key, or None
# to leave the instance without one. The cases number their own processes; the app hands
# their scheme in, so the platform never imports them.
BusinessKeyMinter = Callable[[str, datetime], str | None]


def no_business_key(_process_key: str, _now: datetime) -> None:
    return None


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    engine: WorkflowEngine
    instances: InstanceCache
    caches: dict = field(default_factory=dict)
    mint_business_key: BusinessKeyMinter = no_business_key

    def now(self):
        return self.clock.now()


def build_context(settings: Settings, clock: Clock | None = None,
                  mint_business_key: BusinessKeyMinter = no_business_key) -> AppContext:
    clock = clock or Clock()
    return AppContext(
        settings=settings,
        db=Database(settings.database_url),
        clock=clock,
        engine=WorkflowEngine(clock, timer_min_cycle=timedelta(seconds=settings.timer_min_cycle_seconds)),
        instances=InstanceCache(settings.instance_cache_size),
        mint_business_key=mint_business_key,
    )
