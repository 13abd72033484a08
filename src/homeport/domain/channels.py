"""The merchant's PG channels as domain services see them (``homeport.payments_gateway``).

Services depend on this protocol, not on the gateway, so they stay free of HTTP clients and
credentials; the connectors they get speak ``homeport.pg.base``.
"""

from __future__ import annotations

from typing import Protocol

from homeport.domain.merchants.models import PgChannel
from homeport.domain.payments.models import Payment
from homeport.pg.base import PgConnector


class PgChannels(Protocol):
    """The merchant's PG channels and their connectors."""

    async def channel_for(self, merchant_id: int, *, billing: bool) -> PgChannel:
        """The billing channel (with a group id) or the default channel."""
        ...

    async def channel_by_site(self, merchant_id: int, pg_provider: str, site_code: str) -> PgChannel | None:
        """The merchant's channel for a PG site code, if it still exists."""
        ...

    def connector(self, channel: PgChannel) -> PgConnector:
        """The connector of a channel."""
        ...


async def payment_channel(channels: PgChannels, payment: Payment) -> PgChannel | None:
    """The channel a payment was made on (its ``pg_provider``/``pg_id``), if it still exists."""
    return await channels.channel_by_site(payment.merchant_id, payment.pg_provider or "", payment.pg_id or "")
