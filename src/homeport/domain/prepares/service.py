"""Registering, changing and reading pre-registered amounts."""

from __future__ import annotations

from homeport.clock import Clock
from homeport.domain.errors import InvalidRequest, PrepareNotFound
from homeport.domain.ids import validate_merchant_uid
from homeport.domain.money import Won
from homeport.domain.prepares.models import Prepared
from homeport.domain.uow import UnitOfWorkFactory


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidRequest(f"currency는 KRW 같은 세 글자 통화 코드여야 합니다. (got {value!r})")
    return code


class PrepareService:
    """Registering, changing and reading pre-registered amounts."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def register(
        self, merchant_id: int, merchant_uid: str, amount: Won, currency: str | None = None
    ) -> Prepared:
        """``POST /payments/prepare``: register once; the same amount again is a no-op."""
        prepared = Prepared(validate_merchant_uid(merchant_uid), amount, _currency(currency))
        async with self._uow() as uow:
            if await uow.prepares.add(merchant_id, prepared, self._clock.now()):
                return prepared
            existing = await uow.prepares.get(merchant_id, merchant_uid)
        if existing == prepared:
            return prepared
        raise InvalidRequest(
            f"이미 사전등록된 merchant_uid입니다: {merchant_uid}. 금액을 바꾸려면 PUT /payments/prepare를 "
            "사용해 주세요."
        )

    async def change(
        self, merchant_id: int, merchant_uid: str, amount: Won, currency: str | None = None
    ) -> Prepared:
        """``PUT /payments/prepare``: change an existing registration."""
        prepared = Prepared(validate_merchant_uid(merchant_uid), amount, _currency(currency))
        async with self._uow() as uow:
            if not await uow.prepares.replace(merchant_id, prepared, self._clock.now()):
                raise PrepareNotFound
        return prepared

    async def get(self, merchant_id: int, merchant_uid: str) -> Prepared:
        """``GET /payments/prepare/{merchant_uid}``."""
        async with self._uow(readonly=True) as uow:
            prepared = await uow.prepares.get(merchant_id, merchant_uid)
        if prepared is None:
            raise PrepareNotFound
        return prepared
