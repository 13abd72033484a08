"""Reading payments the way i'mport's lookup endpoints do.

Payments are created and changed by their flows (``charges``, ``cancels``, checkout);
:meth:`PaymentService.record` stores a finished payment as it is (tests, imports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from homeport.domain.errors import InvalidRequest, PaymentNotFound
from homeport.domain.ids import new_imp_uid, validate_merchant_uid
from homeport.domain.paging import PageRequest, paginate
from homeport.domain.payments.attempts import Attempt
from homeport.domain.payments.models import (
    Payment,
    PaymentPage,
    PaymentStatus,
    SortKey,
    TimeRange,
)
from homeport.domain.uow import UnitOfWorkFactory

#: i'mport caps multi-get at 100 ids.
MAX_MULTI_GET = 100
#: ``/payments/status`` looks back 90 days by default and never over a wider window.
STATUS_WINDOW_SECONDS = 90 * 24 * 3600


class PaymentService:
    """Lookups of a merchant's payments."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def record(self, payment: Payment) -> Payment:
        """Store a new payment, giving it an imp_uid if it has none."""
        validate_merchant_uid(payment.merchant_uid)
        if not payment.imp_uid:
            payment = replace(payment, imp_uid=new_imp_uid())
        async with self._uow() as uow:
            await uow.payments.add(payment)
        return payment

    async def get(self, merchant_id: int, imp_uid: str) -> Payment:
        """The merchant's payment ``imp_uid``; another merchant's payment is not found."""
        async with self._uow(readonly=True) as uow:
            payment = await uow.payments.get(merchant_id, imp_uid)
        if payment is None:
            raise PaymentNotFound
        return payment

    async def get_many(
        self, merchant_id: int, imp_uids: Sequence[str], merchant_uids: Sequence[str]
    ) -> tuple[list[Payment], bool]:
        """Payments by imp_uid and by merchant_uid (the latest started for each).

        Returns the payments found, in request order, and whether every id was found
        (i'mport answers 207 when only some were).
        """
        wanted = len(imp_uids) + len(merchant_uids)
        if wanted == 0:
            raise InvalidRequest("imp_uid[] 또는 merchant_uid[] 중 하나 이상을 지정해주셔야합니다.")
        if wanted > MAX_MULTI_GET:
            raise InvalidRequest(f"한 번에 최대 {MAX_MULTI_GET}건까지 조회할 수 있습니다.")
        async with self._uow(readonly=True) as uow:
            by_imp_uid = {p.imp_uid: p for p in await uow.payments.get_many(merchant_id, imp_uids)}
            found = [by_imp_uid[uid] for uid in dict.fromkeys(imp_uids) if uid in by_imp_uid]
            missing = len(set(imp_uids) - by_imp_uid.keys())
            for merchant_uid in dict.fromkeys(merchant_uids):
                _, rows = await uow.payments.search(
                    merchant_id,
                    merchant_uid=merchant_uid,
                    status=None,
                    time_range=None,
                    sorting=SortKey.STARTED_DESC,
                    page=PageRequest(1, 1),
                )
                if rows:
                    found.append(rows[0])
                else:
                    missing += 1
        if not found:
            raise PaymentNotFound("해당되는 결제건을 찾지 못하였습니다.")
        return found, missing == 0

    async def find(
        self,
        merchant_id: int,
        merchant_uid: str,
        status: PaymentStatus | None = None,
        sorting: SortKey = SortKey.STARTED_DESC,
    ) -> Payment:
        """The first payment with this merchant_uid (and status) in ``sorting`` order."""
        _, rows = await self._search(merchant_id, merchant_uid, status, None, sorting, PageRequest(1, 1))
        if not rows:
            raise PaymentNotFound
        return rows[0]

    async def find_all(
        self,
        merchant_id: int,
        merchant_uid: str,
        status: PaymentStatus | None,
        sorting: SortKey,
        page: PageRequest,
    ) -> PaymentPage:
        """Every payment sharing a merchant_uid (failed retries, etc.), one page at a time."""
        total, rows = await self._search(merchant_id, merchant_uid, status, None, sorting, page)
        if total == 0:
            raise PaymentNotFound
        return paginate(total, rows, page)

    async def list_by_status(
        self,
        merchant_id: int,
        status: PaymentStatus | None,
        *,
        since: int | None,
        until: int | None,
        now: int,
        sorting: SortKey,
        page: PageRequest,
    ) -> PaymentPage:
        """Payments in one status (None = all) within at most 90 days; default the last 90."""
        end = until if until is not None else now
        start = since if since is not None else end - STATUS_WINDOW_SECONDS
        if start > end:
            raise InvalidRequest("from은 to보다 이전 시각이어야 합니다.")
        if end - start > STATUS_WINDOW_SECONDS:
            raise InvalidRequest("조회 기간(from~to)은 최대 90일입니다.")
        total, rows = await self._search(merchant_id, None, status, TimeRange(start, end), sorting, page)
        return paginate(total, rows, page)

    async def list_by_customer(self, merchant_id: int, customer_uid: str, page: PageRequest) -> PaymentPage:
        """Payments made with (or issuing) a customer_uid's billing key, newest first."""
        total, rows = await self._search(
            merchant_id, None, None, None, SortKey.STARTED_DESC, page, customer_uid=customer_uid
        )
        return paginate(total, rows, page)

    async def attempts(self, merchant_id: int, imp_uid: str) -> list[Attempt]:
        """Every PG attempt of the merchant's payment, oldest first (operators, tests)."""
        await self.get(merchant_id, imp_uid)
        async with self._uow(readonly=True) as uow:
            return await uow.attempts.for_payment(imp_uid)

    async def _search(
        self,
        merchant_id: int,
        merchant_uid: str | None,
        status: PaymentStatus | None,
        time_range: TimeRange | None,
        sorting: SortKey,
        page: PageRequest,
        *,
        customer_uid: str | None = None,
    ) -> tuple[int, list[Payment]]:
        async with self._uow(readonly=True) as uow:
            return await uow.payments.search(
                merchant_id,
                merchant_uid=merchant_uid,
                status=status,
                time_range=time_range,
                sorting=sorting,
                page=page,
                customer_uid=customer_uid,
            )
