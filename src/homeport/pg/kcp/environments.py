"""Where each KCP environment lives. Nothing else in the connector knows which one it talks to.

- ``stage``: KCP's test servers, ``https://stg-spl.kcp.co.kr`` (kcp.md §1);
- ``production``: ``https://spl.kcp.co.kr``;
- ``sandbox``: homeport's KCP emulator at a base URL the caller gives: the embedded one at
  ``http://HOST:PORT/sandbox`` or a standalone ``homeport sandbox serve``.

Every REST path (``/gw/enc/v1/payment``...) is relative to the base URL.
"""

from __future__ import annotations

from homeport.domain.errors import ConfigurationError
from homeport.domain.merchants.models import ChannelEnvironment

STAGE_BASE_URL = "https://stg-spl.kcp.co.kr"
PRODUCTION_BASE_URL = "https://spl.kcp.co.kr"

_FIXED: dict[ChannelEnvironment, str] = {
    ChannelEnvironment.STAGE: STAGE_BASE_URL,
    ChannelEnvironment.PRODUCTION: PRODUCTION_BASE_URL,
}


def base_url_for(environment: ChannelEnvironment, *, sandbox_base_url: str) -> str:
    """The REST base URL of ``environment`` (no trailing slash)."""
    if environment is ChannelEnvironment.SANDBOX:
        url = sandbox_base_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"the KCP sandbox base URL must be an absolute http(s) URL, not {sandbox_base_url!r}"
            )
        return url
    return _FIXED[environment]


#: KCP's PC window script ("spay hub") by REST base URL (kcp.md §1): test and live hosts.
PC_SCRIPT_PATH = "/plugin/kcp_spay_hub.js"
_PC_SCRIPTS: dict[str, str] = {
    STAGE_BASE_URL: "https://testspay.kcp.co.kr" + PC_SCRIPT_PATH,
    PRODUCTION_BASE_URL: "https://spay.kcp.co.kr" + PC_SCRIPT_PATH,
}


def pc_script_url(base_url: str) -> str:
    """The PC window script of the environment at ``base_url``; the sandbox serves its own."""
    base = base_url.rstrip("/")
    return _PC_SCRIPTS.get(base, base + PC_SCRIPT_PATH)


def needs_pair_check(environment: ChannelEnvironment) -> bool:
    """Whether a channel's certificate and key must be checked at start-up (real KCP only)."""
    return environment is not ChannelEnvironment.SANDBOX
