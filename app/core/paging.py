"""One page of a list: where it starts and how long it is, capped for every list alike."""
from __future__ import annotations

from dataclasses import dataclass

MAX_RESULTS = 1000


@dataclass(frozen=True)
class Page:
    first: int = 0
    max_results: int = 100

    @property
    def offset(self) -> int:
        return max(self.first, 0)

    @property
    def limit(self) -> int:
        return min(max(self.max_results, 0), MAX_RESULTS)

    def apply(self, query):
        return query.offset(self.offset).limit(self.limit)
