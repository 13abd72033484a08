"""Settings come from HOMEPORT_* variables with embedded defaults (DESIGN: config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeport.config import async_database_url, load_settings
from homeport.domain.errors import ConfigurationError


def test_nothing_set_means_sqlite_in_the_data_directory_on_loopback() -> None:
    """The zero-config default a newcomer gets."""
    settings = load_settings({})

    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.database_url == f"sqlite:///{Path('.homeport') / 'homeport.db'}"
    assert settings.sqlalchemy_url.startswith("sqlite+aiosqlite:///")
    assert settings.demo_enabled


def test_a_postgresql_url_switches_the_database_with_no_other_change() -> None:
    """Operators write postgresql://; homeport adds the async driver itself."""
    settings = load_settings({"HOMEPORT_DATABASE_URL": "postgresql://u:p@db/homeport"})

    assert settings.sqlalchemy_url == "postgresql+asyncpg://u:p@db/homeport"


def test_demo_credentials_can_be_pinned_and_the_secret_hides_itself() -> None:
    """HOMEPORT_DEMO_IMP_KEY/SECRET pin the demo merchant; the secret's repr is masked."""
    settings = load_settings({"HOMEPORT_DEMO_IMP_KEY": "k", "HOMEPORT_DEMO_IMP_SECRET": "very-secret"})

    assert settings.demo_imp_key == "k"
    assert settings.demo_imp_secret is not None
    assert settings.demo_imp_secret.reveal() == "very-secret"
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HOMEPORT_PORT": "http"}, "HOMEPORT_PORT"),
        ({"HOMEPORT_PORT": "70000"}, "HOMEPORT_PORT"),
        ({"HOMEPORT_DEMO": "perhaps"}, "HOMEPORT_DEMO"),
        ({"HOMEPORT_DATABASE_URL": "mysql://x"}, "sqlite:// or postgresql://"),
        ({"HOMEPORT_LOG_FORMAT": "xml"}, "HOMEPORT_LOG_FORMAT"),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(env: dict[str, str], message: str) -> None:
    """A typo fails at start with the variable's name, not later."""
    with pytest.raises(ConfigurationError, match=message):
        load_settings(env)


def test_unrelated_environment_variables_are_ignored() -> None:
    """Only HOMEPORT_* is read."""
    assert load_settings({"PORT": "1", "DATABASE_URL": "mysql://"}).port == 8000


def test_async_driver_urls_pass_through() -> None:
    """URLs that already name the driver are kept."""
    assert async_database_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


def test_kcp_notifications_are_accepted_from_kcp_and_loopback_by_default() -> None:
    """kcp.md §1: KCP's test and live notification servers; loopback while the sandbox runs."""
    default = {str(n) for n in load_settings({}).kcp_notify_networks}
    without_sandbox = {str(n) for n in load_settings({"HOMEPORT_SANDBOX": "false"}).kcp_notify_networks}

    kcp = {"210.122.176.144/32", "103.215.144.173/32", "103.215.144.174/32"}
    assert default == kcp | {"127.0.0.0/8", "::1/128"}
    assert without_sandbox == kcp


def test_the_kcp_notification_allow_list_takes_ips_and_cidr_blocks() -> None:
    """HOMEPORT_KCP_NOTIFY_ALLOW replaces the default; a bad entry stops startup."""
    settings = load_settings({"HOMEPORT_KCP_NOTIFY_ALLOW": " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32"})

    assert [str(n) for n in settings.kcp_notify_networks] == ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]
    with pytest.raises(ConfigurationError, match="HOMEPORT_KCP_NOTIFY_ALLOW"):
        load_settings({"HOMEPORT_KCP_NOTIFY_ALLOW": "10.0.0.0/8,kcp.co.kr"})


def test_workers_run_in_serve_by_default_polling_every_second_with_a_two_minute_lease() -> None:
    settings = load_settings({})

    assert settings.workers_enabled
    assert settings.worker_poll_seconds == 1.0
    assert settings.schedule_lease_seconds == 120


def test_worker_settings_are_read_and_a_lease_is_whole_seconds_of_at_least_one() -> None:
    settings = load_settings(
        {
            "HOMEPORT_WORKERS": "false",
            "HOMEPORT_WORKER_POLL_SECONDS": "0.25",
            "HOMEPORT_SCHEDULE_LEASE_SECONDS": "0.2",
        }
    )

    assert not settings.workers_enabled
    assert settings.worker_poll_seconds == 0.25
    assert settings.schedule_lease_seconds == 1


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "inf"])
def test_a_poll_interval_or_lease_that_is_not_a_positive_number_is_refused(raw: str) -> None:
    for name in ("HOMEPORT_WORKER_POLL_SECONDS", "HOMEPORT_SCHEDULE_LEASE_SECONDS"):
        with pytest.raises(ConfigurationError, match=name):
            load_settings({name: raw})
