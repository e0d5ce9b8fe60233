"""The one clock of the app: tests move it instead of sleeping."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Wall-clock time in UTC, optionally shifted or frozen (tests, demos)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen + self._offset
        return datetime.now(timezone.utc) + self._offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta

    def freeze(self, at: datetime) -> None:
        with self._lock:
            self._frozen = at.astimezone(timezone.utc)
            self._offset = timedelta(0)


def to_shanghai(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI)


def as_utc(value: datetime | None) -> datetime | None:
    """Stored datetimes come back naive from SQLite: they are UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def chinese_day(value: date) -> str:
    """A calendar day as official documents and pages write it: 2026年3月5日."""
    return f"{value.year}年{value.month}月{value.day}日"


def format_camunda(value: datetime | None) -> str | None:
    """Camunda's REST date format, shown in Asia/Shanghai: 2026-11-29T20:18:41.000+0800."""
    local = to_shanghai(value)
    if local is None:
        return None
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


def parse_client_datetime(text: str) -> datetime:
    """A date from a client; without an offset it means Asia/Shanghai."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("日期超出可表示的范围（公元 1 年至 9999 年）/ date out of range") from None
