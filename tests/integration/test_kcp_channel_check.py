"""A stage or production KCP channel whose key does not match its certificate stops homeport
at start (issue 4: refuse with a clear message rather than fail at the first payment)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from homeport.app import create_app, prepare
from homeport.domain.errors import ConfigurationError
from homeport.domain.merchants.models import ChannelEnvironment, NewChannel
from homeport.services import Services
from tests.unit.pg.support import PASSWORD, make_pair


def stage_channel(certificate: Path, key: Path, password: str = PASSWORD) -> NewChannel:
    return NewChannel(
        site_code="A52Q7",
        environment=ChannelEnvironment.STAGE,
        certificate_path=str(certificate),
        private_key_path=str(key),
        private_key_password=password,
    )


async def test_a_matching_certificate_and_key_start_normally(services: Services, tmp_path: Path) -> None:
    """The pair signs and verifies, so start-up goes on."""
    pair = make_pair(tmp_path / "kcp")
    await services.merchants.create("Live shop", channels=[stage_channel(pair.certificate, pair.key)])

    await prepare(services, create_demo=False)


async def test_a_key_from_another_certificate_refuses_start_naming_the_merchant(
    services: Services, tmp_path: Path
) -> None:
    """A key that does not belong to the certificate is refused, with the merchant's code."""
    one, other = make_pair(tmp_path / "one", cn="1111"), make_pair(tmp_path / "two", cn="2222")
    created = await services.merchants.create(
        "Live shop", channels=[stage_channel(one.certificate, other.key)]
    )

    with pytest.raises(ConfigurationError, match=created.merchant.code):
        await prepare(services, create_demo=False)


async def test_a_wrong_key_password_or_a_missing_file_refuses_start(
    services: Services, tmp_path: Path
) -> None:
    """Unreadable credentials are as bad as mismatched ones."""
    pair = make_pair(tmp_path / "kcp")
    await services.merchants.create(
        "Live shop", channels=[stage_channel(pair.certificate, pair.key, password="wrong")]
    )

    with pytest.raises(ConfigurationError):
        await prepare(services, create_demo=False)


async def test_sandbox_channels_are_not_checked(services: Services) -> None:
    """The demo's sandbox channel has no files of its own and starts anyway."""
    await services.merchants.create("Demo", channels=[NewChannel(site_code="T0000")])

    await prepare(services, create_demo=False)


async def test_a_production_channel_keeps_the_sandbox_off_the_web(services: Services, tmp_path: Path) -> None:
    """Once a merchant takes real money, homeport serve does not mount the TEST ONLY sandbox."""
    pair = make_pair(tmp_path / "kcp")
    live = NewChannel(
        site_code="AB123",
        environment=ChannelEnvironment.PRODUCTION,
        certificate_path=str(pair.certificate),
        private_key_path=str(pair.key),
        private_key_password=PASSWORD,
    )
    await services.merchants.create("Live shop", channels=[live])

    startup = await prepare(services, create_demo=False)
    app = create_app(services, mount_sandbox=not startup.has_production_channels)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://homeport.test") as client:
        answer = await client.get("/sandbox/_sandbox/sites")

    assert startup.has_production_channels
    assert answer.status_code == 404
