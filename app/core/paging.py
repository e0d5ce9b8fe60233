"""One page of a list: where it starts and how long it is (no `max_results`: to the end)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    first: int = 0
    max_results: int | None = None

    @property
    def offset(self) -> int:
        return max(self.first, 0)

    @property
    def limit(self) -> int | None:
        return None if self.max_results is None else max(self.max_results, 0)

    def apply(self, query):
        return query.offset(self.offset).limit(self.limit)

    def of(self, items: list) -> list:
        """This page of a list already in memory."""
        return items[self.offset:] if self.limit is None else items[self.offset:self.offset + self.limit]
