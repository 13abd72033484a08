"""Creating merchants and authenticating their API calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from homeport.clock import Clock
from homeport.domain.errors import AuthenticationFailed, InvalidRequest, TokenInvalid
from homeport.domain.ids import (
    new_api_key,
    new_api_secret,
    new_merchant_code,
    validate_merchant_code,
)
from homeport.domain.merchants import tokens
from homeport.domain.merchants.models import (
    AccessToken,
    ApiCredential,
    ChannelEnvironment,
    CreatedMerchant,
    Merchant,
    NewChannel,
    PgChannel,
)
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory

#: The demo merchant's name: ``/demo`` finds it by this name (see ``demo``).
DEMO_NAME = "homeport demo shop"
#: Expired tokens are kept a day for diagnosis, then dropped when a new one is issued.
TOKEN_RETENTION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class MerchantSummary:
    """A merchant with its keys and channels, for listings (no secrets)."""

    merchant: Merchant
    credentials: tuple[ApiCredential, ...]
    channels: tuple[PgChannel, ...]


class MerchantService:
    """Merchants and their credentials."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(
        self,
        name: str,
        *,
        code: str | None = None,
        imp_key: str | None = None,
        imp_secret: str | None = None,
        channels: Sequence[NewChannel] = (),
    ) -> CreatedMerchant:
        """Create a merchant with one REST API key, generating what is not given."""
        async with self._uow() as uow:
            return await self._create(uow, name, code, imp_key, imp_secret, channels)

    async def ensure_demo(self, imp_key: str | None, imp_secret: str | None) -> CreatedMerchant | None:
        """Create the demo merchant if there are no merchants at all; else do nothing.

        Several processes may start at once against one database; the creation lock makes
        the second wait for the first and then find a merchant already there.
        """
        async with self._uow() as uow:
            await uow.merchants.lock_for_creation()
            if await uow.merchants.count() > 0:
                return None
            return await self._create(
                uow,
                DEMO_NAME,
                None,
                imp_key,
                imp_secret,
                [
                    NewChannel(site_code="T0000", site_name="homeport demo (KCP sandbox)"),
                    NewChannel(
                        site_code="A52Q7",
                        site_name="homeport demo billing (KCP sandbox)",
                        batch_group_id="A52Q71000489",
                        is_default=False,
                    ),
                ],
            )

    async def demo(self) -> Merchant | None:
        """The demo merchant ``ensure_demo`` created, while all its channels are the sandbox's.

        ``/demo`` serves only this merchant and only then: once an operator gives it a real KCP
        channel, its payments are real and no longer anybody's to look at.
        """
        async with self._uow(readonly=True) as uow:
            for merchant in await uow.merchants.all():
                if merchant.name != DEMO_NAME:
                    continue
                channels = await uow.merchants.channels(merchant.id)
                if channels and all(c.environment is ChannelEnvironment.SANDBOX for c in channels):
                    return merchant
        return None

    async def _create(
        self,
        uow: UnitOfWork,
        name: str,
        code: str | None,
        imp_key: str | None,
        imp_secret: str | None,
        channels: Sequence[NewChannel],
    ) -> CreatedMerchant:
        if not name.strip():
            raise InvalidRequest("가맹점 이름을 입력해 주세요.")
        if sum(c.is_default for c in channels) > 1:
            raise InvalidRequest("기본 채널은 하나만 지정할 수 있습니다.")
        if imp_secret is not None and len(imp_secret) < 8:
            raise InvalidRequest("imp_secret은 8자 이상이어야 합니다.")
        code = validate_merchant_code(code) if code else new_merchant_code()
        imp_key = imp_key or new_api_key()
        imp_secret = imp_secret or new_api_secret()
        salt = tokens.new_salt()
        now = self._clock.now()
        merchant = await uow.merchants.add(code, name.strip(), now)
        await uow.merchants.add_credential(
            merchant.id, imp_key, tokens.hash_secret(imp_secret, salt), salt, now
        )
        stored = [await uow.merchants.add_channel(merchant.id, c) for c in channels]
        return CreatedMerchant(merchant, imp_key, imp_secret, tuple(stored))

    async def list(self) -> list[MerchantSummary]:
        """Every merchant with its keys and channels."""
        async with self._uow(readonly=True) as uow:
            return [
                MerchantSummary(
                    m,
                    tuple(await uow.merchants.credentials(m.id)),
                    tuple(await uow.merchants.channels(m.id)),
                )
                for m in await uow.merchants.all()
            ]

    async def channels(self, merchant_id: int) -> tuple[PgChannel, ...]:
        """A merchant's PG channels, the default one first."""
        async with self._uow(readonly=True) as uow:
            return tuple(await uow.merchants.channels(merchant_id))

    async def issue_token(self, imp_key: str, imp_secret: str) -> AccessToken:
        """``POST /users/getToken``: reuse, extend or issue per the contract's rules."""
        now = self._clock.now()
        async with self._uow() as uow:
            # Locked, so concurrent first calls (several processes, one key) agree on one
            # token instead of each issuing its own.
            credential = await uow.merchants.credential_by_key(imp_key, lock=True)
            if credential is None or not tokens.secret_matches(
                imp_secret, credential.secret_salt, credential.secret_hash
            ):
                raise AuthenticationFailed
            current = await uow.merchants.newest_token(credential.id)
            decision = tokens.decide(current, now)
            if current is not None and decision is not tokens.TokenDecision.ISSUE:
                expires_at = current.expires_at
                if decision is tokens.TokenDecision.EXTEND:
                    expires_at += tokens.EXTENSION_SECONDS
                    await uow.merchants.extend_token(current.id, expires_at)
                token = tokens.derive_token(imp_secret, credential.id, current.nonce)
                return AccessToken(token, now, expires_at)
            nonce = tokens.new_nonce()
            token = tokens.derive_token(imp_secret, credential.id, nonce)
            expires_at = now + tokens.TOKEN_LIFETIME_SECONDS
            await uow.merchants.add_token(credential.id, nonce, tokens.token_hash(token), now, expires_at)
            await uow.merchants.delete_tokens_expired_before(now - TOKEN_RETENTION_SECONDS)
        return AccessToken(token, now, expires_at)

    async def authenticate(self, token: str) -> Merchant:
        """The merchant an access token belongs to; TokenInvalid if unknown or expired."""
        if len(token) != tokens.TOKEN_LENGTH:
            raise TokenInvalid
        async with self._uow(readonly=True) as uow:
            merchant = await uow.merchants.merchant_for_token(tokens.token_hash(token), self._clock.now())
        if merchant is None:
            raise TokenInvalid
        return merchant
