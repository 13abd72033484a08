"""A stage or production KCP channel whose key does not match its certificate stops homeport
at start (issue 4: refuse with a clear message rather than fail at the first payment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeport.app import prepare
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
