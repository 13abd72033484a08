"""The sandbox inside homeport: configuration from settings, mounted at /sandbox, retries
driven by homeport's own lifespan and clock."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest

from homeport.app import build_services, create_app, kcp_notification_url, sandbox_config
from homeport.clock import FakeClock
from homeport.config import load_settings
from homeport.domain.errors import ConfigurationError
from tests.sandbox_notify.support import RETRY_PAGE, Receiver, issue_account
from tests.support import settings_for


def test_every_site_notifies_homeports_kcp_endpoint_by_default(tmp_path: Path) -> None:
    """Embedded, deposits go to homeport's /kcp/notifications."""
    settings = load_settings({"HOMEPORT_DATA_DIR": str(tmp_path), "HOMEPORT_PORT": "8123"})

    config = sandbox_config(settings)

    assert config.data_dir == tmp_path / "sandbox" == settings.sandbox_data_dir
    assert {s.notify_url for s in config.sites} == {"http://127.0.0.1:8123/kcp/notifications"}
    assert [s.site_cd for s in config.sites] == ["T0000", "T0007", "A52Q7"]


def test_listening_on_every_address_still_notifies_loopback() -> None:
    """0.0.0.0 is not an address to send to."""
    settings = load_settings({"HOMEPORT_HOST": "0.0.0.0", "HOMEPORT_PORT": "9000"})

    assert kcp_notification_url(settings) == "http://127.0.0.1:9000/kcp/notifications"


def test_sites_json_in_the_data_dir_and_notify_url_options_are_honoured(tmp_path: Path) -> None:
    """<data dir>/sites.json replaces KCP's test sites; a site's own notify_url is kept;
    an explicit notify URL replaces every site's."""
    (tmp_path / "sites.json").write_text(
        json.dumps(
            [
                {"site_cd": "T1234", "notify_url": "http://shop.test/noti", "notify_charset": "UTF-8"},
                {"site_cd": "T5678"},
            ]
        )
    )
    settings = load_settings({"HOMEPORT_PORT": "8000"})

    own = sandbox_config(settings, data_dir=tmp_path)
    forced = sandbox_config(settings, data_dir=tmp_path, notify_url="http://other.test/n")

    assert [(s.site_cd, s.notify_url, s.notify_charset) for s in own.sites] == [
        ("T1234", "http://shop.test/noti", "utf-8"),
        ("T5678", "http://127.0.0.1:8000/kcp/notifications", "euc-kr"),
    ]
    assert {s.notify_url for s in forced.sites} == {"http://other.test/n"}


@pytest.mark.parametrize("content", ["not json", "[]", '[{"site_name": "no code"}]'])
def test_a_broken_sites_file_is_a_configuration_error(tmp_path: Path, content: str) -> None:
    """A bad sites file stops start-up with its path in the message."""
    sites = tmp_path / "mine.json"
    sites.write_text(content)

    with pytest.raises(ConfigurationError, match=r"mine\.json"):
        sandbox_config(load_settings({}), sites_file=sites)


def test_homeport_sandbox_must_be_true_or_false() -> None:
    """A typo in HOMEPORT_SANDBOX fails at start, naming the variable."""
    with pytest.raises(ConfigurationError, match="HOMEPORT_SANDBOX"):
        load_settings({"HOMEPORT_SANDBOX": "perhaps"})
    assert load_settings({}).sandbox_enabled
    assert not load_settings({"HOMEPORT_SANDBOX": "false"}).sandbox_enabled


def test_homeport_sandbox_false_builds_no_sandbox(tmp_path: Path) -> None:
    """HOMEPORT_SANDBOX=false: no sandbox, nothing written for it."""
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", HOMEPORT_SANDBOX="false")

    services = build_services(settings)

    assert services.sandbox is None
    assert not settings.sandbox_data_dir.exists()


async def test_homeports_lifespan_retries_the_embedded_sandboxs_notifications(
    tmp_path: Path, credentials_template: Path, receiver: Receiver
) -> None:
    """A mounted app's lifespan never runs, so homeport's own runs the retry loop; the sandbox
    reads homeport's clock, so moving a FakeClock makes a retry due."""
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'h.db'}")
    shutil.copytree(credentials_template, settings.sandbox_data_dir / "credentials")
    (settings.sandbox_data_dir / "sites.json").write_text(
        json.dumps([{"site_cd": "T0000", "notify_url": receiver.url()}])
    )
    clock = FakeClock()
    services = build_services(settings, clock=clock)
    assert services.sandbox is not None
    account = issue_account(services.sandbox)
    receiver.answer((200, RETRY_PAGE))
    app = create_app(services)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://homeport.test") as client:
                answer = await client.post("/sandbox/_sandbox/deposit", json={"account": account["account"]})
            assert answer.status_code == 200, answer.text
            assert answer.json()["delivered"] is False
            clock.advance(int(services.sandbox.config.notify_interval_seconds))
            for _ in range(300):
                if len(receiver.posts) == 2:
                    break
                await asyncio.sleep(0.02)
    finally:
        await services.close()

    assert len(receiver.posts) == 2
