"""What attempts need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult


class AttemptRepository(Protocol):
    """Attempts of all merchants, written in the transaction of the change they belong to."""

    async def add(self, attempt: Attempt) -> int:
        """Store a pending attempt; its id."""
        ...

    async def settle(self, attempt_id: int, result: AttemptResult) -> None:
        """Record how the attempt ended."""
        ...

    async def unsettled(self, imp_uid: str, operation: AttemptOperation | None = None) -> list[Attempt]:
        """The payment's attempts still pending or unknown (of one operation, or all)."""
        ...

    async def for_payment(self, imp_uid: str) -> list[Attempt]:
        """Every attempt of a payment, oldest first."""
        ...

    async def in_doubt(
        self,
        *,
        stale_before: int,
        operations: Sequence[AttemptOperation],
        with_pg_tid: bool,
        limit: int,
    ) -> list[Attempt]:
        """Attempts of every merchant in doubt, oldest first: ``unknown`` ones, and ``pending``
        ones started before ``stale_before``; of ``operations``, with or without a PG tid."""
        ...

    async def record_pg_tid(self, attempt_id: int, pg_tid: str) -> None:
        """Note the PG's transaction id on an attempt (an operator found it), state unchanged."""
        ...
