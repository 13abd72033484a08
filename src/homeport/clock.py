"""Where homeport reads the time. Nothing else calls ``now()``.

i'mport speaks UNIX seconds everywhere (``paid_at``, ``expired_at``, ...), so the clock
hands out integer seconds; domain code takes ``now`` as an argument.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of the current time in whole UNIX seconds."""

    def now(self) -> int:
        """Return the current UNIX time in seconds."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> int:
        """Return the current UNIX time in seconds."""
        return int(time.time())  # noqa: TID251 - the one sanctioned caller


class FakeClock:
    """A clock tests move by hand, so time rules are checked without sleeping."""

    def __init__(self, start: int = 1_767_225_600) -> None:  # 2026-01-01T00:00:00Z
        self._now = start

    def now(self) -> int:
        """Return the clock's current time."""
        return self._now

    def advance(self, seconds: int) -> None:
        """Move the clock forward."""
        self._now += seconds

    def set(self, when: int) -> None:
        """Jump to an absolute UNIX time."""
        self._now = when
