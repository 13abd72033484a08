"""Which PG connector serves a merchant: part of the composition root.

A merchant's billing keys go through its channel with a batch group id; everything else
through its default channel. Sandbox channels without certificate files use the embedded
sandbox's credentials for that site and reach the sandbox in-process (no socket); stage and
production channels use their own files and KCP's real URLs. Connectors are built once per
channel and kept.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from homeport.domain.errors import BillingNotConfigured, ConfigurationError
from homeport.domain.merchants.models import ChannelEnvironment, PgChannel
from homeport.domain.merchants.service import MerchantService
from homeport.pg.base import PgConnector
from homeport.pg.kcp.connector import KcpConnector, connector_for_channel
from homeport.sandbox.context import Sandbox

#: The base URL the in-process sandbox client answers on (any host would do).
SANDBOX_BASE_URL = "http://kcp-sandbox"


class PaymentsGateway:
    """Connectors for merchants' channels, cached per channel id."""

    def __init__(
        self,
        merchants: MerchantService,
        *,
        http: httpx.AsyncClient,
        sandbox: Sandbox | None = None,
        sandbox_http: httpx.AsyncClient | None = None,
    ) -> None:
        self._merchants = merchants
        self._http = http
        self._sandbox = sandbox
        self._sandbox_http = sandbox_http
        self._connectors: dict[int, KcpConnector] = {}

    async def channel_for(self, merchant_id: int, *, billing: bool) -> PgChannel:
        """The channel with a billing group (``billing``), else the default channel."""
        channels = [c for c in await self._merchants.channels(merchant_id) if c.pg_provider == "kcp"]
        if billing:
            usable = [c for c in channels if c.batch_group_id]
            # Prefer the default channel when it can hold billing keys itself.
            usable.sort(key=lambda c: not c.is_default)
            if not usable:
                raise BillingNotConfigured
            return usable[0]
        for channel in channels:
            if channel.is_default:
                return channel
        if channels:
            return channels[0]
        raise ConfigurationError("이 가맹점에는 KCP 채널이 설정되어 있지 않습니다. (no KCP channel)")

    async def channel_by_site(self, merchant_id: int, pg_provider: str, site_code: str) -> PgChannel | None:
        """The merchant's channel for a PG site code, if any."""
        for channel in await self._merchants.channels(merchant_id):
            if channel.pg_provider == pg_provider and channel.site_code == site_code:
                return channel
        return None

    def connector(self, channel: PgChannel) -> PgConnector:
        """The (cached) connector of a channel."""
        cached = self._connectors.get(channel.id)
        if cached is None:
            cached = self._build(channel)
            self._connectors[channel.id] = cached
        return cached

    def _build(self, channel: PgChannel) -> KcpConnector:
        if channel.environment is not ChannelEnvironment.SANDBOX:
            return connector_for_channel(channel, http=self._http, sandbox_base_url=SANDBOX_BASE_URL)
        if self._sandbox is None or self._sandbox_http is None:
            raise ConfigurationError(
                f"KCP channel {channel.site_code} uses the sandbox, but the embedded sandbox is off "
                "(HOMEPORT_SANDBOX=false)"
            )
        if not channel.certificate_path or not channel.private_key_path:
            site = self._sandbox.credentials.get(channel.site_code)
            if site is None:
                raise ConfigurationError(f"the KCP sandbox has no site {channel.site_code}")
            channel = replace(
                channel,
                certificate_path=str(site.certificate_path),
                private_key_path=str(site.private_key_path),
                private_key_password=site.key_password,
            )
        return connector_for_channel(channel, http=self._sandbox_http, sandbox_base_url=SANDBOX_BASE_URL)
