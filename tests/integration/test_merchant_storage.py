"""Merchants, credentials, channels and tokens in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from homeport.app import build_services
from homeport.clock import FakeClock
from homeport.domain.errors import AuthenticationFailed, DuplicateMerchant, TokenInvalid
from homeport.domain.merchants.models import ChannelEnvironment, NewChannel
from homeport.services import Services
from homeport.store.tables import api_credentials, pg_channels
from tests.support import settings_for


async def test_a_token_issued_by_one_process_is_valid_in_another_sharing_the_database(
    services: Services, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Token validation goes through the database only, so any process accepts it."""
    created = await services.merchants.create("Shop")
    other = build_services(settings_for(tmp_path / "other", database_url), clock=clock)
    try:
        token = await services.merchants.issue_token(created.imp_key, created.imp_secret)

        merchant = await other.merchants.authenticate(token.token)
        again = await other.merchants.issue_token(created.imp_key, created.imp_secret)
    finally:
        await other.close()

    assert merchant == created.merchant
    assert again.token == token.token
    assert again.expires_at == token.expires_at


async def test_wrong_secrets_and_unknown_tokens_are_refused(services: Services) -> None:
    """The secret is checked against its hash; tokens against theirs."""
    created = await services.merchants.create("Shop")

    with pytest.raises(AuthenticationFailed):
        await services.merchants.issue_token(created.imp_key, created.imp_secret + "x")
    with pytest.raises(TokenInvalid):
        await services.merchants.authenticate("0" * 40)


async def test_secrets_and_key_passwords_are_never_stored_in_clear(services: Services) -> None:
    """Only a salted hash of the API secret and a sealed key password reach the database."""
    created = await services.merchants.create(
        "Shop",
        channels=[
            NewChannel(
                site_code="A52Q7",
                environment=ChannelEnvironment.STAGE,
                certificate_path="/etc/kcp/cert.pem",
                private_key_path="/etc/kcp/key.pem",
                private_key_password="kcp-key-password-123",
                batch_group_id="A52Q71000489",
            )
        ],
    )

    async with services.engine.connect() as connection:
        credential_row = (await connection.execute(select(api_credentials))).mappings().one()
        channel_row = (await connection.execute(select(pg_channels))).mappings().one()
    channels = (await services.merchants.list())[0].channels

    assert created.imp_secret not in str(dict(credential_row))
    assert "kcp-key-password-123" not in str(dict(channel_row))
    assert channel_row["private_key_password_sealed"].startswith("v1.")
    assert channels[0].private_key_password == "kcp-key-password-123"
    assert channels[0].batch_group_id == "A52Q71000489"
    assert channels[0].is_default


async def test_merchant_codes_and_api_keys_are_unique(services: Services) -> None:
    """A taken code or key is a DuplicateMerchant, and nothing half-created remains."""
    first = await services.merchants.create("One", code="imp12345678", imp_key="1111222233334444")

    with pytest.raises(DuplicateMerchant):
        await services.merchants.create("Two", code="imp12345678")
    with pytest.raises(DuplicateMerchant):
        await services.merchants.create("Three", imp_key=first.imp_key)

    assert [s.merchant.name for s in await services.merchants.list()] == ["One"]


async def test_only_one_channel_is_the_default(services: Services) -> None:
    """Adding a default channel demotes the previous default."""
    created = await services.merchants.create(
        "Shop", channels=[NewChannel(site_code="T0000"), NewChannel(site_code="T0007", is_default=False)]
    )

    defaults = [c.site_code for c in created.channels if c.is_default]

    assert defaults == ["T0000"]


async def test_processes_starting_together_create_one_demo_merchant(
    services: Services, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Concurrent start-ups on one empty database end with exactly one demo merchant."""
    others = [build_services(settings_for(tmp_path / f"p{i}", database_url), clock=clock) for i in range(4)]
    try:
        results = await asyncio.gather(
            *(o.merchants.ensure_demo("5555666677778888", "pinned-demo-secret") for o in others)
        )
    finally:
        for other in others:
            await other.close()

    assert sum(r is not None for r in results) == 1
    assert len(await services.merchants.list()) == 1


async def test_expired_tokens_are_pruned_when_a_new_one_is_issued(
    services: Services, clock: FakeClock
) -> None:
    """Tokens expired for over a day are deleted, so the table does not grow forever."""
    created = await services.merchants.create("Shop")
    await services.merchants.issue_token(created.imp_key, created.imp_secret)
    clock.advance(3 * 24 * 3600)

    await services.merchants.issue_token(created.imp_key, created.imp_secret)

    async with services.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM access_tokens"))
    assert count == 1
