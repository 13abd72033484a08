"""The sandbox's own clock (it imports nothing from homeport). KCP speaks Korean time."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

KST = dt.timezone(dt.timedelta(hours=9), "KST")


class SandboxClock(Protocol):
    """A source of the current time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
        ...


class WallClock:
    """The real time."""

    def now(self) -> dt.datetime:
        """The current time in Korea."""
        return dt.datetime.now(KST)  # noqa: TID251 - the sandbox's one reader of the wall clock


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=KST)

    def now(self) -> dt.datetime:
        """The clock's current time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move forward."""
        self._now += dt.timedelta(seconds=seconds)


def kcp_time(when: dt.datetime) -> str:
    """KCP's timestamp format, ``YYYYMMDDHHMMSS`` in Korean time (kcp.md §12)."""
    return when.astimezone(KST).strftime("%Y%m%d%H%M%S")


def parse_kcp_time(text: str) -> dt.datetime:
    """Read ``YYYYMMDDHHMMSS`` (or ``YYYYMMDD``, meaning the end of that day) as Korean time."""
    if len(text) == 8:
        text += "235959"
    return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=KST)
