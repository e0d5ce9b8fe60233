"""Waiting for external tasks (fetchAndLock's `asyncResponseTimeout`) without taking the
threads the pages need.

A waiting fetch holds its web thread. The web server runs EXTERNAL_TASK_LONG_POLLS threads
beyond the pages' WEB_THREADS (scripts/serve_web.sh), and no more fetches than that wait at
once in a process: one that finds every slot taken answers at once with what there is.
A waiter wakes when new work may be there: on PostgreSQL a NOTIFY on the external-task
channel (sent when a task is created or given back), on its own connection outside the
pool, so a wait holds no connection the pages need; on SQLite, which cannot tell, it
looks again every quarter of a second.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from collections.abc import Iterator

import psycopg

from app.core.context import AppContext
from app.db import libpq_url
from app.platform.external_task_rows import CHANNEL

# Camunda's ceiling of asyncResponseTimeout is 30 min; ours keeps a worker thread short.
MAX_WAIT_MS = 20_000
SQLITE_POLL_SECONDS = 0.25
# A lock that expires or a retry timeout that ends announces nothing: look again now and then.
RECHECK_SECONDS = 2.0


@contextmanager
def slot(ctx: AppContext) -> Iterator[bool]:
    """One of the process's long-poll slots, if one is free (True); never waits for one."""
    slots = ctx.caches.setdefault(
        "long_poll_slots", threading.BoundedSemaphore(ctx.settings.external_task_long_polls))
    taken = slots.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            slots.release()


@contextmanager
def wake_up(ctx: AppContext) -> Iterator["_Poller | _Listener"]:
    """What a waiting fetch sleeps on. Opened before the fetch it follows: work announced
    in between is not missed."""
    if ctx.db.engine.url.get_backend_name() != "postgresql":
        yield _Poller()
        return
    connection = psycopg.connect(libpq_url(ctx.db.engine), autocommit=True)
    try:
        connection.execute(f"LISTEN {CHANNEL}")
        yield _Listener(connection)
    finally:
        connection.close()


class _Poller:
    def wait(self, seconds: float) -> None:
        time.sleep(min(seconds, SQLITE_POLL_SECONDS))


class _Listener:
    def __init__(self, connection):
        self.connection = connection

    def wait(self, seconds: float) -> None:
        for _notice in self.connection.notifies(timeout=min(seconds, RECHECK_SECONDS), stop_after=1):
            pass


def deadline_after(wait_ms: int) -> float:
    return time.monotonic() + min(wait_ms, MAX_WAIT_MS) / 1000


def remaining(deadline: float) -> float:
    return deadline - time.monotonic()
