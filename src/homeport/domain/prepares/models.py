"""A pre-registered amount."""

from __future__ import annotations

from dataclasses import dataclass

from homeport.domain.money import Won


@dataclass(frozen=True)
class Prepared:
    """An amount registered for a merchant_uid; ``currency`` None means "not checked"."""

    merchant_uid: str
    amount: Won
    currency: str | None = None

    def refuses(self, amount: Won, currency: str = "KRW") -> str | None:
        """Why a payment of ``amount`` would be refused, or None if it matches."""
        if amount != self.amount:
            return (
                f"사전등록된 결제금액({self.amount}원)과 결제요청금액({amount}원)이 일치하지 않습니다. "
                f"(merchant_uid {self.merchant_uid})"
            )
        if self.currency is not None and currency != self.currency:
            return f"사전등록된 통화({self.currency})와 결제요청 통화({currency})가 일치하지 않습니다."
        return None
