"""The running sandbox's shared state: configuration, ledger, credentials, clock, HTTP client."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from fastapi import Request

from homeport.sandbox.clock import SandboxClock
from homeport.sandbox.config import SandboxConfig, SiteConfig
from homeport.sandbox.credentials import SiteCredentials
from homeport.sandbox.ledger import Ledger


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def unique(make: Callable[[], str], taken: Callable[[str], bool]) -> str:
    """``make()`` until it gives a value that is not ``taken``."""
    while True:
        value = make()
        if not taken(value):
            return value


@dataclass
class Sandbox:
    """Everything a sandbox route needs; one per app, on ``app.state.sandbox``."""

    config: SandboxConfig
    ledger: Ledger
    credentials: dict[str, SiteCredentials]
    clock: SandboxClock
    http: httpx.AsyncClient
    #: Each site's ``kcp_cert_info`` (its certificate without CR/LF), read once at start.
    cert_infos: dict[str, str] = field(default_factory=dict)

    def site(self, site_cd: str) -> SiteConfig | None:
        """A configured site."""
        return self.config.site(site_cd)

    def new_tno(self) -> str:
        """A fresh KCP transaction number: 14 digits starting with the date (kcp.md §12)."""
        return self.clock.now().strftime("%y%m%d") + _digits(8)

    @staticmethod
    def new_digits(count: int) -> str:
        """Random digits (approval numbers, batch keys, accounts)."""
        return _digits(count)

    def new_key(self, kind: str, make: Callable[[], str]) -> str:
        """A key no ``kind`` record has yet (hold it by storing it in the same ledger transaction)."""
        return unique(make, lambda key: self.ledger.get(kind, key) is not None)


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
