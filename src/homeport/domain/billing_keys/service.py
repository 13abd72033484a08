"""Issuing, reading and deleting billing keys through the merchant's billing channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.cards import mask_card_number
from homeport.domain.channels import PgChannels
from homeport.domain.errors import CustomerNotFound, InvalidRequest, NotFound, PgRefused
from homeport.domain.ids import validate_customer_uid
from homeport.domain.merchants.models import PgChannel
from homeport.domain.uow import UnitOfWorkFactory
from homeport.pg.base import BillingKeyIssued, CardInput, Declined

log = structlog.get_logger("homeport.billing_keys")

#: The contract's text for a failed issuance; the PG's reason follows in parentheses (§8).
ISSUE_FAILED = "카드정보 인증 및 빌키 발급에 실패하였습니다."
DELETE_FAILED = "빌링키 삭제에 실패하였습니다."


def pg_refused(prefix: str, declined: Declined) -> PgRefused:
    """The contract's failure text with the PG's reason in parentheses (§8)."""
    detail = declined.pg_message or declined.message
    return PgRefused(f"{prefix} ({detail})" if detail else prefix)


class BillingKeyService:
    """``/subscribe/customers``: billing keys per merchant and customer_uid."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels

    async def issue(
        self, merchant_id: int, customer_uid: str, card: CardInput, customer: CustomerInfo
    ) -> BillingKey:
        """Issue a key from a typed-in card and store it, replacing the customer_uid's key.

        A PG decline is PgRefused and nothing is stored; PgUnavailable/PgOutcomeUnknown pass
        through (nothing stored either: a key issued but never heard of is just unused).
        """
        validate_customer_uid(customer_uid)
        channel = await self._channels.channel_for(merchant_id, billing=True)
        connector = self._channels.connector(channel)
        issued = await connector.issue_billing_key_keyin(card, group_id=channel.batch_group_id)
        if isinstance(issued, Declined):
            log.info(
                "billing_key.declined", merchant_id=merchant_id, reason=issued.reason, pg_code=issued.pg_code
            )
            raise pg_refused(ISSUE_FAILED, issued)
        key = self.key_of(customer_uid, channel, issued, customer, typed_number=card.number)
        async with self._uow() as uow:
            stored = await uow.billing_keys.save(merchant_id, key)
        log.info("billing_key.issued", merchant_id=merchant_id, pg_id=channel.site_code)
        return stored

    def key_of(
        self,
        customer_uid: str,
        channel: PgChannel,
        issued: BillingKeyIssued,
        customer: CustomerInfo,
        *,
        typed_number: str | None = None,
    ) -> BillingKey:
        """The key to store for what ``channel`` issued: one shape for REST and window issuance.

        The card shows only its company and a masked number: the PG's mask, else the typed-in
        number masked here (REST), else none (a window that returned no number).
        """
        validate_customer_uid(customer_uid)
        now = self._clock.now()
        masked = issued.card.masked_number or (mask_card_number(typed_number) if typed_number else None)
        return BillingKey(
            customer_uid=customer_uid,
            billing_key=issued.billing_key,
            group_id=issued.group_id,
            pg_provider=channel.pg_provider,
            pg_id=channel.site_code,
            sandbox=channel.sandbox,
            card_code=issued.card.company_code,
            card_name=issued.card.company_name,
            card_number=masked,
            card_type=issued.card.card_type,
            customer=customer,
            inserted=now,
            updated=now,
        )

    async def get(self, merchant_id: int, customer_uid: str) -> BillingKey:
        """The live key of a customer_uid; CustomerNotFound if none."""
        async with self._uow(readonly=True) as uow:
            key = await uow.billing_keys.get(merchant_id, customer_uid)
        if key is None:
            raise CustomerNotFound(customer_uid)
        return key

    async def get_many(self, merchant_id: int, customer_uids: Sequence[str]) -> tuple[list[BillingKey], bool]:
        """The live keys among ``customer_uids`` and whether every one was found."""
        wanted = list(dict.fromkeys(customer_uids))
        if not wanted:
            raise InvalidRequest("customer_uid 파라메터가 누락되었습니다.")
        async with self._uow(readonly=True) as uow:
            found = await uow.billing_keys.get_many(merchant_id, wanted)
        if not found:
            raise NotFound(f"요청하신 customer_uid({', '.join(wanted)})로 등록된 정보를 찾을 수 없습니다.")
        return found, len(found) == len(wanted)

    async def delete(self, merchant_id: int, customer_uid: str) -> BillingKey:
        """Delete the key at the PG, then mark it deleted here; the deleted key is returned."""
        key = await self.get(merchant_id, customer_uid)
        channel = await self._channels.channel_by_site(merchant_id, key.pg_provider, key.pg_id)
        if channel is not None:
            refused = await self._channels.connector(channel).delete_billing_key(
                key.billing_key, group_id=key.group_id
            )
            if refused is not None:
                log.info("billing_key.delete_declined", merchant_id=merchant_id, pg_code=refused.pg_code)
                raise pg_refused(DELETE_FAILED, refused)
        else:
            # The channel is gone: the key cannot be used from here any more; forget it.
            log.warning("billing_key.delete_without_channel", merchant_id=merchant_id, pg_id=key.pg_id)
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.billing_keys.mark_deleted(merchant_id, customer_uid, now):
                raise CustomerNotFound(customer_uid)
        return replace(key, updated=now, deleted_at=now)
