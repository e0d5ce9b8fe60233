"""What is read of users (the state of the users API calls authenticate as, who may take
a new task), kept between requests on PostgreSQL while the database can say when it changes.

Every API request needs its user's state (active, groups, organization, password hash,
lock): reading it is one of the three or so round trips a REST call makes to PostgreSQL;
and every new task asks who may take it, a read whose answer the rest of its command waits
for. A trigger on every table these come from (`app/models/user_changes.py`) sends a NOTIFY
on `CHANNEL` when one of them changes; a thread per process LISTENs and forgets everything
kept at each notice. A read is kept only while that thread is listening, and only if no
notice came between its read and its keeping (`generation`), so a deactivation, a password
or group change or a lock counts from the moment its commit is announced, as it did when
every request read it. When the listening connection is lost nothing is kept until it is
back. SQLite cannot announce changes, and reads there cost no round trip: every request
reads what it needs, as before.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

import psycopg
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.identity import UserState, user_state
from app.db import after_commit, libpq_url
from app.models import LoginThrottle, Organization, User, UserGroup
from app.models.user_changes import CHANNEL

# How long the listener waits for a notice before checking its connection is alive (and
# whether it is to stop: a disposed app's listener is gone within this).
CHECK_SECONDS = 1.0
RECONNECT_SECONDS = 1.0

log = logging.getLogger(__name__)
T = TypeVar("T")


class UserStates:
    def __init__(self, database):
        self._database = database
        self._postgres = database.engine.url.get_backend_name() == "postgresql"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._entries: dict[Hashable, object] = {}
        self._listening = False
        # Raised whenever what is kept is forgotten: a read that began before may not keep.
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        # How the listening connection is named on the server (pg_stat_activity).
        self.application_name = f"ticflow-user-states-{id(self):x}"
        database.on_dispose(self.stop)
        _KEEPERS.add(self)

    def read(self, user_id: str) -> UserState | None:
        """The user's state, kept or read now."""
        def fetch() -> UserState | None:
            with self._database.reader.connect() as connection:
                return user_state(connection, user_id)
        return self.kept(("state", user_id), fetch)

    def kept(self, key: Hashable, fetch: Callable[[], T]) -> T:
        """What `fetch` reads of users, kept under `key` or read now (None is never kept:
        a user not there yet is looked for again)."""
        if self._postgres:
            self._keep_listening()
        with self._lock:
            kept = self._entries.get(key) if self._listening else None
            generation = self._generation
        if kept is not None:
            return kept
        value = fetch()
        with self._lock:
            if value is not None and self._listening and generation == self._generation:
                self._entries[key] = value
        return value

    def forget(self) -> None:
        """Forget what is kept now: this process committed a change its notice will repeat."""
        with self._lock:
            self._reset(listening=self._listening)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._reset(listening=False)

    def _reset(self, listening: bool) -> None:
        """Forget every kept state (the caller holds the lock)."""
        self._entries = {}
        self._listening = listening
        self._generation += 1

    def _keep_listening(self) -> None:
        if self._stopping.is_set():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            # A new process (a web worker forked after the first read) starts its own.
            self._reset(listening=False)
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._listen, name="user-state-listener", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        url = libpq_url(self._database.engine)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(url, autocommit=True, application_name=self.application_name) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    with self._lock:
                        self._reset(listening=True)
                    self._follow(connection)
            except psycopg.Error as error:
                log.warning("user state listener: %s; every request reads its user until it is back", error)
            finally:
                with self._lock:
                    self._reset(listening=False)
            self._stopping.wait(RECONNECT_SECONDS)

    def _follow(self, connection) -> None:
        while not self._stopping.is_set():
            for _notice in connection.notifies(timeout=CHECK_SECONDS):
                with self._lock:
                    self._reset(listening=True)
            # No notice for a while: a connection the server dropped says so here.
            connection.execute("SELECT 1")


_CREATING = threading.Lock()
# Every keeper of this process: a change committed here is forgotten at once by all of them,
# where the notice reaches the listeners a moment later.
_KEEPERS: weakref.WeakSet = weakref.WeakSet()
# What a unit of work may change of users that `kept` reads keep (the one Core update of
# users, a password's, changes nothing kept but the state, which is read outside commands).
# A sign-in lock is part of a user's state too.
_DIRECTORY = (User, UserGroup, Organization, LoginThrottle)
_CHANGED = "changed_users"


def changed_users(session: Session) -> bool:
    """Whether this unit of work has changed users, their groups, organizations or sign-in
    locks: what it reads of them then comes from its own transaction and is never kept (its
    change is announced at its commit, and never if it rolls back)."""
    return session.info.get(_CHANGED, False) or _touches_users(session)


@event.listens_for(Session, "before_flush")
def _note_user_changes(session: Session, _flush_context, _instances) -> None:
    if _touches_users(session) and not session.info.get(_CHANGED):
        session.info[_CHANGED] = True
        after_commit(session, _forget_everywhere)


def _forget_everywhere() -> None:
    for keeper in list(_KEEPERS):
        keeper.forget()


def _touches_users(session: Session) -> bool:
    return any(isinstance(row, _DIRECTORY) for rows in (session.new, session.dirty, session.deleted)
               for row in rows)


def user_states(ctx) -> UserStates:
    """The process's kept user states of `ctx`'s database, made at first use."""
    found = ctx.caches.get("user_states")
    if found is None:
        with _CREATING:
            found = ctx.caches.get("user_states")
            if found is None:
                found = ctx.caches["user_states"] = UserStates(ctx.db)
    return found
