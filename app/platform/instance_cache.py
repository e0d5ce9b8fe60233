"""Restored workflows of recently saved instances, each valid for one row version.

Rebuilding a workflow from its JSON is the largest single cost of a command on an
instance. When a command commits, the workflow object it saved is exactly the state
stored under the row's new version, so the next command on that instance (the officer's
next step, usually) takes the object from here instead. The row version decides: a
write by any other process or thread bumps it, and the entry no longer matches.

An entry is taken out when used, so two threads never share one workflow; it goes back
only after its command committed, and only if nothing changed the workflow after it was
saved. A command that fails puts nothing back: the next one restores from the database.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class InstanceCache:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int):
        """The workflow saved as `version` of the instance, or None."""
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != version:
            return None
        return entry[1]

    def put(self, instance_id: str, version: int, execution) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[instance_id] = (version, execution)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
