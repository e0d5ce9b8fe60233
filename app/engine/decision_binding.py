"""Which version of a decision a business rule task evaluates: the latest deployed one when
the task runs, as Camunda 7's default `camunda:decisionRefBinding="latest"`.

The platform says which version is the latest and hands its file (`DecisionSource`); the
engine parses each version once and keeps it by version id. The table compiled into the
definition at deploy is what runs where no source is bound (a trial of a table, an
instance driven outside the platform) or no version of the decision is deployed.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Protocol

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine


class DecisionSource(Protocol):
    """The deployed decision tables, as the platform stores them."""

    def latest_version(self, key: str) -> str | None:
        """The id of the latest deployed version of decision `key`, if any."""

    def table_file(self, version_id: str) -> tuple[str, bytes]:
        """(file name, DMN XML) of a deployed version."""


_bound: ContextVar[Callable[[str], DMNEngine | None] | None] = ContextVar("latest_decisions", default=None)


@contextmanager
def latest_decisions(find: Callable[[str], DMNEngine | None] | None):
    """Evaluate business rule tasks with the tables `find` gives by decision key."""
    token = _bound.set(find)
    try:
        yield
    finally:
        _bound.reset(token)


def table_for(decision_ref: str | None, compiled: DMNEngine) -> DMNEngine:
    """The table a business rule task calling `decision_ref` evaluates now."""
    find = _bound.get()
    found = find(decision_ref) if find is not None and decision_ref else None
    return found or compiled


class LatestTables:
    """The latest deployed version of each decision, parsed once per version."""

    def __init__(self, source: DecisionSource, parse: Callable[[str, str, bytes], DMNEngine], size: int = 64):
        self.source = source
        self.parse = parse
        self.size = size
        self._parsed: OrderedDict[str, DMNEngine] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, key: str) -> DMNEngine | None:
        version_id = self.source.latest_version(key)
        if version_id is None:
            return None
        with self._lock:
            table = self._parsed.get(version_id)
            if table is not None:
                self._parsed.move_to_end(version_id)
                return table
        file_name, xml = self.source.table_file(version_id)
        table = self.parse(key, file_name, xml)
        with self._lock:
            self._parsed[version_id] = table
            if len(self._parsed) > self.size:
                self._parsed.popitem(last=False)
        return table
