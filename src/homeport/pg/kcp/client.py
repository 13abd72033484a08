"""The HTTP layer: JSON POSTs to KCP, explicit timeouts, and outcome classification in ONE place.

- Not sent (connect error, DNS, refused, TLS handshake, no pool connection) →
  :class:`PgUnavailable`; retried at most ``retries`` times with a short backoff.
- Sent but no readable answer (read/write timeout, connection dropped, HTTP 5xx, a body
  that is not a JSON object) → :class:`PgOutcomeUnknown`; never retried.
- Anything else is KCP's answer, returned as a dict whatever the HTTP status (KCP answers
  business errors as JSON with a non-``0000`` ``res_cd``, kcp.md §2).

Logged events: ``pg.request``, ``pg.response``, ``pg.unavailable``, ``pg.outcome_unknown``
with ``site_cd``, ``path``, ``res_cd`` and ``duration_ms``; never a request or response body
(card numbers, batch keys, ``kcp_cert_info``, ``kcp_sign_data`` stay out of logs).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from homeport.domain.errors import PgOutcomeUnknown, PgUnavailable

log = structlog.get_logger("homeport.pg.kcp")

#: Exceptions raised before a single byte of the request left: safe to retry.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
)


@dataclass(frozen=True)
class KcpTimeouts:
    """Seconds to wait, and how often to retry a call that provably did not reach KCP."""

    connect: float = 5.0
    #: Reading the answer of money-moving calls (approve, charge, cancel): kcp.md §2 advises ≥30 s.
    read: float = 30.0
    #: Reading the answer of registration, inquiry and batch-key deletion.
    read_short: float = 15.0
    write: float = 10.0
    pool: float = 5.0
    retries: int = 2
    backoff: float = 0.2

    def for_call(self, *, moves_money: bool) -> httpx.Timeout:
        """The httpx timeout of one call."""
        return httpx.Timeout(
            connect=self.connect,
            read=self.read if moves_money else self.read_short,
            write=self.write,
            pool=self.pool,
        )


Sleep = Callable[[float], Awaitable[None]]


class KcpClient:
    """Posts JSON to one KCP base URL for one site."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        site_cd: str,
        timeouts: KcpTimeouts | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._site_cd = site_cd
        self._timeouts = timeouts or KcpTimeouts()
        self._sleep = sleep

    @property
    def base_url(self) -> str:
        """The base URL calls go to."""
        return self._base_url

    async def post(self, path: str, body: dict[str, str], *, moves_money: bool) -> dict[str, Any]:
        """POST ``body`` to ``path``; KCP's JSON answer, or PgUnavailable / PgOutcomeUnknown."""
        attempts = 1 + max(self._timeouts.retries, 0)
        for attempt in range(1, attempts + 1):
            try:
                return await self._post_once(path, body, moves_money=moves_money, attempt=attempt)
            except PgUnavailable:
                if attempt == attempts:
                    raise
                await self._sleep(self._timeouts.backoff * attempt)
        raise PgUnavailable()  # pragma: no cover - the loop returns or raises

    async def _post_once(
        self, path: str, body: dict[str, str], *, moves_money: bool, attempt: int
    ) -> dict[str, Any]:
        url = self._base_url + path
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        where = {"site_cd": self._site_cd, "path": path}
        log.info("pg.request", **where, attempt=attempt)
        started = time.monotonic()
        try:
            response = await self._http.post(
                url,
                content=content,
                headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
                timeout=self._timeouts.for_call(moves_money=moves_money),
            )
        except _NOT_SENT as exc:
            log.warning(
                "pg.unavailable", **where, attempt=attempt, error=type(exc).__name__, duration_ms=_ms(started)
            )
            raise PgUnavailable(f"KCP ({self._base_url}) could not be reached: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            # ReadTimeout, WriteTimeout, ReadError, WriteError, RemoteProtocolError...: the
            # request may have reached KCP.
            self._unknown(where, started, type(exc).__name__)
            raise PgOutcomeUnknown() from exc
        duration = _ms(started)
        if response.status_code >= 500:
            self._unknown(where, started, f"HTTP {response.status_code}")
            raise PgOutcomeUnknown()
        parsed = _json_object(response.content)
        if parsed is None:
            self._unknown(where, started, f"HTTP {response.status_code}, not a JSON object")
            raise PgOutcomeUnknown()
        res_cd = str(parsed.get("res_cd") or parsed.get("Code") or "")
        if not res_cd:
            # A JSON object without a result code says nothing about whether money moved: it
            # must not be read as a decline (the merchant would charge again).
            self._unknown(where, started, f"HTTP {response.status_code}, no res_cd in the answer")
            raise PgOutcomeUnknown()
        log.info("pg.response", **where, status=response.status_code, res_cd=res_cd, duration_ms=duration)
        return parsed

    @staticmethod
    def _unknown(where: dict[str, str], started: float, error: str) -> None:
        log.warning("pg.outcome_unknown", **where, error=error, duration_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object (UTF-8, BOM tolerated); None if it is not one."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
