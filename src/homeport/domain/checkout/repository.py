"""What checkout windows need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Only for annotations: windows.py reaches uow.py through requests.py (a cycle at import).
    from homeport.domain.checkout.windows import CheckoutWindow


class CheckoutWindowRepository(Protocol):
    """Windows by merchant and imp_uid (one per window payment)."""

    async def add(self, window: CheckoutWindow) -> None:
        """Store the window of a payment registered in the same transaction."""
        ...

    async def get(self, merchant_id: int, imp_uid: str) -> CheckoutWindow | None:
        """The merchant's window for ``imp_uid``, if any."""
        ...
