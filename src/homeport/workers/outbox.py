"""The webhook outbox worker: POSTs due deliveries to merchants and records every try.

The body is exactly i'mport's (:mod:`homeport.api.webhooks`, where i'mport's field names
live). homeport adds the Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), which i'mport clients ignore and new ones can verify; the id is the
event's, the same on every retry and redelivery. What an answer means (delivered, retry
when, failed) is the domain's (homeport.domain.webhooks.service).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from homeport import __version__
from homeport.api.webhooks import webhook_body
from homeport.domain.webhooks.models import Attempt, ClaimedDelivery
from homeport.services import Services

#: How much of a merchant's answer is kept with the attempt.
RESPONSE_PREVIEW_BYTES = 1024
USER_AGENT = f"homeport-webhook/{__version__}"


def signature_headers(secret: str, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Standard Webhooks headers: HMAC-SHA256 of ``id.timestamp.body`` with the merchant's secret."""
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(event_id, signed_at, body),
    }


class OutboxWorker:
    """Delivers due webhooks, one bounded batch per :meth:`run_once`."""

    name = "outbox"

    def __init__(self, services: Services) -> None:
        self._services = services

    async def run_once(self) -> int:
        """Claim due deliveries, send them concurrently, record each try; how many were tried."""
        claimed = await self._services.webhooks.claim()
        if not claimed:
            return 0
        tries = await asyncio.gather(*(self._send(c) for c in claimed))
        for delivery, attempt in zip(claimed, tries, strict=True):
            await self._services.webhooks.record(delivery, attempt)
        return len(claimed)

    async def _send(self, claimed: ClaimedDelivery) -> Attempt:
        now = self._services.clock.now()
        body, content_type = webhook_body(claimed.event, claimed.delivery.format)
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            **signature_headers(claimed.secret, claimed.event.id, now, body),
        }
        started = time.perf_counter()
        try:
            async with self._services.webhook_http.stream(
                "POST", claimed.delivery.url, content=body.encode(), headers=headers
            ) as response:
                preview = await _preview(response)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return Attempt(now, _elapsed_ms(started), error=f"{type(exc).__name__}: {exc}"[:500])
        return Attempt(now, _elapsed_ms(started), http_status=response.status_code, response_body=preview)


async def _preview(response: httpx.Response) -> str:
    """The start of the answer, without reading a huge one whole."""
    kept = b""
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_PREVIEW_BYTES:
            break
    return kept[:RESPONSE_PREVIEW_BYTES].decode("utf-8", errors="replace")


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
