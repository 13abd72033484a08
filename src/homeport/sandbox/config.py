"""Sandbox configuration: where state lives and which KCP sites exist.

The sandbox reads no environment variables; whoever starts it (``homeport sandbox serve``,
``homeport serve``, a test) builds a :class:`SandboxConfig`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: KCP's stage test sites (kcp.md §3.4): the general site, the escrow site and the batch
#: (billing) site with its group id. Their certificates are generated here, not KCP's.
DEFAULT_SITES: tuple[dict[str, Any], ...] = (
    {"site_cd": "T0000", "site_name": "KCP sandbox general site"},
    {"site_cd": "T0007", "site_name": "KCP sandbox escrow site", "escrow": True},
    {"site_cd": "A52Q7", "site_name": "KCP sandbox batch site", "group_ids": ["A52Q71000489"]},
)

#: The password of every generated sandbox private key (KCP's own test key uses the same
#: word). TEST ONLY: these keys protect nothing.
TEST_KEY_PASSWORD = "changeit"  # noqa: S105 - a published test-only password


@dataclass(frozen=True)
class SiteConfig:
    """One KCP site the sandbox accepts."""

    site_cd: str
    site_name: str = "KCP sandbox site"
    group_ids: tuple[str, ...] = ()
    escrow: bool = False
    #: Where common notifications (TX00 deposits...) go; empty means none are sent.
    notify_url: str = ""
    #: KCP's legacy default is EUC-KR; the merchant admin can switch to UTF-8 (kcp.md §9.1).
    notify_charset: str = "euc-kr"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteConfig:
        """A site from a JSON object (``sites.json``)."""
        return cls(
            site_cd=str(data["site_cd"]),
            site_name=str(data.get("site_name", "KCP sandbox site")),
            group_ids=tuple(str(g) for g in data.get("group_ids", ())),
            escrow=bool(data.get("escrow", False)),
            notify_url=str(data.get("notify_url", "")),
            notify_charset=str(data.get("notify_charset", "euc-kr")).lower(),
        )


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox needs to run."""

    #: Directory for the SQLite state file and generated credentials.
    data_dir: Path = Path(".homeport/sandbox")
    #: Keep state in memory only (lost on restart).
    in_memory: bool = False
    sites: tuple[SiteConfig, ...] = field(
        default_factory=lambda: tuple(SiteConfig.from_dict(s) for s in DEFAULT_SITES)
    )
    #: How many times a notification is sent until the reply says result=0000 (kcp.md §9.2:
    #: one integrator reports at most 10), and the seconds between tries.
    notify_attempts: int = 10
    notify_interval_seconds: float = 60.0
    #: Seconds a "timeout" scenario holds its reply (longer than any sane client timeout).
    hold_seconds: float = 60.0
    #: Seconds a "slow" scenario waits before answering normally.
    slow_seconds: float = 3.0

    @property
    def database_path(self) -> Path:
        """The SQLite file holding the sandbox's ledger."""
        return self.data_dir / "sandbox.db"

    @property
    def credentials_dir(self) -> Path:
        """Where generated CA, site certificates and keys are written (test-only)."""
        return self.data_dir / "credentials"

    def site(self, site_cd: str) -> SiteConfig | None:
        """The configured site with this code."""
        return next((s for s in self.sites if s.site_cd == site_cd), None)

    def with_notify_url(self, url: str) -> SandboxConfig:
        """The same config with every site notifying ``url`` (homeport's KCP endpoint)."""
        return replace(self, sites=tuple(replace(s, notify_url=url) for s in self.sites))


def load_sites(path: Path) -> tuple[SiteConfig, ...]:
    """Sites from a JSON file: a list of objects with ``site_cd`` and optional fields."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty JSON list of sites")
    return tuple(SiteConfig.from_dict(item) for item in data)
