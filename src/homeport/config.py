"""Typed, frozen settings built once at the edge from ``HOMEPORT_*`` variables.

This is the only module that reads ``os.environ`` (ruff's banned-api rule enforces it).
:func:`load_settings` is pure: tests pass a plain dict.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from homeport.domain.errors import ConfigurationError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_DATA_DIR = ".homeport"
DEFAULT_RECONCILE_AFTER = 600
DEFAULT_VBANK_EXPIRY_GRACE = 600
DEFAULT_WEBHOOK_RETRY_HORIZON = 3 * 86_400
DEFAULT_SCHEDULE_LEASE = 120

#: Where KCP sends common notifications from (kcp.md §1): the test server, then the two live
#: ones. Older lists (kcp.md §1, "still in widely used code") are left out: KCP's current
#: pages name only these; an operator who needs more sets HOMEPORT_KCP_NOTIFY_ALLOW.
KCP_NOTIFY_SOURCES = ("210.122.176.144", "103.215.144.173", "103.215.144.174")
#: Loopback, added to the default when the embedded sandbox (which notifies from here) runs.
LOOPBACK_SOURCES = ("127.0.0.0/8", "::1")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Secret:
    """A string that never shows itself in ``repr`` or ``str``, so it cannot slip into a log."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the clear value; call this only where the secret is used."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything homeport needs to know about its environment."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    database_url: str = ""
    demo_enabled: bool = True
    demo_imp_key: str | None = None
    demo_imp_secret: Secret | None = None
    log_format: str = "console"
    log_level: str = "info"
    sql_echo: bool = False
    encryption_key: Secret | None = None
    #: Serve the KCP sandbox inside homeport at ``/sandbox`` (HOMEPORT_SANDBOX).
    sandbox_enabled: bool = True
    #: Who may POST KCP common notifications (HOMEPORT_KCP_NOTIFY_ALLOW, IPs or CIDRs);
    #: None means the default, see :attr:`kcp_notify_networks`.
    kcp_notify_allow: tuple[IpNetwork, ...] | None = None
    #: Seconds a webhook delivery is retried after it was queued (HOMEPORT_WEBHOOK_RETRY_HORIZON;
    #: default three days, decision 0011), then it is ``failed``.
    webhook_retry_horizon: int = DEFAULT_WEBHOOK_RETRY_HORIZON
    #: Age (seconds) after which a ``pending`` attempt is in doubt (HOMEPORT_RECONCILE_AFTER):
    #: the process that wrote it died. Comfortably above the longest KCP call (read 30 s,
    #: connect 5 s, two retries with backoff, pg/kcp/client.py), so no live request is raced.
    reconcile_after: int = DEFAULT_RECONCILE_AFTER
    #: Seconds after a virtual account's deadline before it expires (HOMEPORT_VBANK_EXPIRY_GRACE),
    #: so a deposit made before the deadline and notified late is not raced.
    vbank_expiry_grace: int = DEFAULT_VBANK_EXPIRY_GRACE
    #: ``homeport serve`` runs the background workers in its event loop (HOMEPORT_WORKERS);
    #: turn it off when separate ``homeport worker`` processes do the work.
    workers_enabled: bool = True
    #: Seconds an idle worker loop waits before looking for due work again.
    worker_poll_seconds: float = 1.0
    #: Seconds a worker holds a claimed schedule before another may claim it again
    #: (decision 0012); longer than a charge's KCP read timeout (30 s) and its retries.
    schedule_lease_seconds: int = DEFAULT_SCHEDULE_LEASE

    @property
    def kcp_notify_networks(self) -> tuple[IpNetwork, ...]:
        """The source addresses /kcp/notifications accepts: the configured list, else KCP's
        test and live notification servers (kcp.md §1) plus loopback when the embedded
        sandbox runs (its deposits notify from this machine)."""
        if self.kcp_notify_allow is not None:
            return self.kcp_notify_allow
        sources = KCP_NOTIFY_SOURCES + (LOOPBACK_SOURCES if self.sandbox_enabled else ())
        return tuple(ipaddress.ip_network(source) for source in sources)

    @property
    def sandbox_data_dir(self) -> Path:
        """Where the embedded KCP sandbox keeps its ledger and generated test credentials."""
        return self.data_dir / "sandbox"

    @property
    def encryption_key_file(self) -> Path:
        """Where the generated at-rest encryption key lives when none is configured."""
        return self.data_dir / "encryption.key"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the async driver SQLAlchemy needs."""
        return async_database_url(self.database_url)


def async_database_url(url: str) -> str:
    """Map the URLs operators write (``postgresql://``, ``sqlite:///``) to async drivers.

    ``HOMEPORT_DATABASE_URL=postgresql://...`` must switch to PostgreSQL "with no other
    change", so we add the asyncpg/aiosqlite driver names ourselves.
    """
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    scheme = url.split(":", maxsplit=1)[0]
    raise ConfigurationError(
        f"HOMEPORT_DATABASE_URL must start with sqlite:// or postgresql:// (got {scheme}:)"
    )


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigurationError(f"HOMEPORT_PORT must be a TCP port number, not {raw!r}")
    return int(raw)


def _networks(name: str, raw: str) -> tuple[IpNetwork, ...] | None:
    """A comma list of IP addresses or CIDR blocks; None when empty (the default applies)."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        return None
    try:
        # strict=False: "10.1.2.3/24" means the block around it, as firewalls read it.
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a comma list of IPs or CIDR blocks: {exc}") from None


def _seconds(name: str, raw: str) -> int:
    """A whole number of seconds, at least 0."""
    value = raw.strip()
    if not value.isdigit():
        raise ConfigurationError(f"{name} must be a whole number of seconds, not {raw!r}")
    return int(value)


def _positive_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from an environment mapping; raise ConfigurationError if bad."""
    env = {k: v for k, v in environ.items() if k.startswith("HOMEPORT_")}
    data_dir = Path(env.get("HOMEPORT_DATA_DIR", DEFAULT_DATA_DIR)).expanduser()
    database_url = env.get("HOMEPORT_DATABASE_URL") or f"sqlite:///{data_dir / 'homeport.db'}"
    async_database_url(database_url)  # validate early, before anything starts
    log_format = env.get("HOMEPORT_LOG_FORMAT", "console").lower()
    if log_format not in {"console", "json"}:
        raise ConfigurationError("HOMEPORT_LOG_FORMAT must be console or json")
    log_level = env.get("HOMEPORT_LOG_LEVEL", "info").lower()
    if log_level not in {"debug", "info", "warning", "error"}:
        raise ConfigurationError("HOMEPORT_LOG_LEVEL must be debug, info, warning or error")
    demo_secret = env.get("HOMEPORT_DEMO_IMP_SECRET")
    encryption_key = env.get("HOMEPORT_ENCRYPTION_KEY")
    return Settings(
        host=env.get("HOMEPORT_HOST", DEFAULT_HOST),
        port=_port(env.get("HOMEPORT_PORT", str(DEFAULT_PORT))),
        data_dir=data_dir,
        database_url=database_url,
        demo_enabled=_bool("HOMEPORT_DEMO", env.get("HOMEPORT_DEMO", "true")),
        demo_imp_key=env.get("HOMEPORT_DEMO_IMP_KEY") or None,
        demo_imp_secret=Secret(demo_secret) if demo_secret else None,
        log_format=log_format,
        log_level=log_level,
        sql_echo=_bool("HOMEPORT_SQL_ECHO", env.get("HOMEPORT_SQL_ECHO", "false")),
        encryption_key=Secret(encryption_key) if encryption_key else None,
        sandbox_enabled=_bool("HOMEPORT_SANDBOX", env.get("HOMEPORT_SANDBOX", "true")),
        kcp_notify_allow=_networks("HOMEPORT_KCP_NOTIFY_ALLOW", env.get("HOMEPORT_KCP_NOTIFY_ALLOW", "")),
        webhook_retry_horizon=_seconds(
            "HOMEPORT_WEBHOOK_RETRY_HORIZON",
            env.get("HOMEPORT_WEBHOOK_RETRY_HORIZON", str(DEFAULT_WEBHOOK_RETRY_HORIZON)),
        ),
        reconcile_after=_seconds(
            "HOMEPORT_RECONCILE_AFTER", env.get("HOMEPORT_RECONCILE_AFTER", str(DEFAULT_RECONCILE_AFTER))
        ),
        vbank_expiry_grace=_seconds(
            "HOMEPORT_VBANK_EXPIRY_GRACE",
            env.get("HOMEPORT_VBANK_EXPIRY_GRACE", str(DEFAULT_VBANK_EXPIRY_GRACE)),
        ),
        workers_enabled=_bool("HOMEPORT_WORKERS", env.get("HOMEPORT_WORKERS", "true")),
        worker_poll_seconds=_positive_seconds(
            "HOMEPORT_WORKER_POLL_SECONDS", env.get("HOMEPORT_WORKER_POLL_SECONDS", "1")
        ),
        # The clock counts whole seconds, so a lease is at least one.
        schedule_lease_seconds=max(
            1,
            round(
                _positive_seconds(
                    "HOMEPORT_SCHEDULE_LEASE_SECONDS",
                    env.get("HOMEPORT_SCHEDULE_LEASE_SECONDS", str(DEFAULT_SCHEDULE_LEASE)),
                )
            ),
        ),
    )


def settings_from_environment() -> Settings:
    """Settings for the running process."""
    return load_settings(os.environ)  # noqa: TID251 - the one sanctioned reader
