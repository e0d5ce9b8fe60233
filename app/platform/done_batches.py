"""The batch Camunda answers an asynchronous operation with. There is no batch engine
here: the operation runs in the request's own command, so its batch is done when it is
answered, as if by one batch job that made every invocation; its id is in the operation's
audit entry, and `/batch/{id}` knows it no more than Camunda's once its batch ended."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DoneBatch:
    id: str
    # Camunda's batch type: `set-external-task-retries`, `instance-modification`.
    type: str
    invocations: int
    created_by: str
    started_at: datetime
