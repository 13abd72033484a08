"""SQL repository for merchants, API credentials, PG channels and access tokens."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.errors import DuplicateMerchant
from homeport.domain.merchants.models import (
    ApiCredential,
    ChannelEnvironment,
    Merchant,
    NewChannel,
    PgChannel,
    StoredToken,
)
from homeport.store.crypto import SecretBox
from homeport.store.tables import access_tokens, api_credentials, merchants, pg_channels

#: Arbitrary constant naming the advisory lock taken while the demo merchant is created.
MERCHANT_CREATION_LOCK_ID = 0x6D657263  # "merc"


def _merchant(row: RowMapping) -> Merchant:
    return Merchant(id=row["id"], code=row["code"], name=row["name"], created_at=row["created_at"])


def _credential(row: RowMapping) -> ApiCredential:
    return ApiCredential(
        id=row["id"],
        merchant_id=row["merchant_id"],
        imp_key=row["imp_key"],
        secret_hash=row["secret_hash"],
        secret_salt=row["secret_salt"],
        created_at=row["created_at"],
    )


def _token(row: RowMapping) -> StoredToken:
    return StoredToken(
        id=row["id"],
        credential_id=row["credential_id"],
        nonce=row["nonce"],
        token_hash=row["token_hash"],
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
    )


def _password_context(merchant_id: int, site_code: str) -> str:
    return f"pg_channels.private_key_password:{merchant_id}:{site_code}"


class SqlMerchantRepository:
    """Implements ``homeport.domain.merchants.repository.MerchantRepository``."""

    def __init__(self, connection: AsyncConnection, box: SecretBox) -> None:
        self._conn = connection
        self._box = box

    async def lock_for_creation(self) -> None:
        # SQLite write transactions already hold the database's single write lock
        # (BEGIN IMMEDIATE); PostgreSQL needs an explicit lock for the same effect.
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": MERCHANT_CREATION_LOCK_ID}
            )

    async def count(self) -> int:
        return int(await self._conn.scalar(select(func.count()).select_from(merchants)) or 0)

    async def add(self, code: str, name: str, created_at: int) -> Merchant:
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(
                    insert(merchants)
                    .values(code=code, name=name, created_at=created_at)
                    .returning(*merchants.c)
                )
        except IntegrityError:
            raise DuplicateMerchant(f"가맹점 식별코드 {code}는 이미 사용 중입니다.") from None
        return _merchant(result.mappings().one())

    async def all(self) -> list[Merchant]:
        result = await self._conn.execute(select(merchants).order_by(merchants.c.id))
        return [_merchant(r) for r in result.mappings()]

    async def get_by_code(self, code: str) -> Merchant | None:
        result = await self._conn.execute(select(merchants).where(merchants.c.code == code))
        row = result.mappings().first()
        return _merchant(row) if row else None

    async def add_credential(
        self, merchant_id: int, imp_key: str, secret_hash: str, secret_salt: str, created_at: int
    ) -> ApiCredential:
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(
                    insert(api_credentials)
                    .values(
                        merchant_id=merchant_id,
                        imp_key=imp_key,
                        secret_hash=secret_hash,
                        secret_salt=secret_salt,
                        created_at=created_at,
                    )
                    .returning(*api_credentials.c)
                )
        except IntegrityError:
            raise DuplicateMerchant("이미 사용 중인 REST API 키입니다.") from None
        return _credential(result.mappings().one())

    async def credential_by_key(self, imp_key: str, *, lock: bool = False) -> ApiCredential | None:
        query = select(api_credentials).where(api_credentials.c.imp_key == imp_key)
        # SQLite write transactions already exclude each other (BEGIN IMMEDIATE); on
        # PostgreSQL the row lock queues concurrent getToken calls for one key.
        if lock and self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        result = await self._conn.execute(query)
        row = result.mappings().first()
        return _credential(row) if row else None

    async def credentials(self, merchant_id: int) -> list[ApiCredential]:
        result = await self._conn.execute(
            select(api_credentials)
            .where(api_credentials.c.merchant_id == merchant_id)
            .order_by(api_credentials.c.id)
        )
        return [_credential(r) for r in result.mappings()]

    async def add_channel(self, merchant_id: int, channel: NewChannel) -> PgChannel:
        if channel.is_default:
            await self._conn.execute(
                update(pg_channels).where(pg_channels.c.merchant_id == merchant_id).values(is_default=False)
            )
        sealed = (
            self._box.seal(
                channel.private_key_password,
                context=_password_context(merchant_id, channel.site_code),
            )
            if channel.private_key_password
            else None
        )
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(
                    insert(pg_channels)
                    .values(
                        merchant_id=merchant_id,
                        pg_provider=channel.pg_provider,
                        site_code=channel.site_code,
                        site_name=channel.site_name,
                        environment=channel.environment.value,
                        is_default=channel.is_default,
                        certificate_path=channel.certificate_path,
                        private_key_path=channel.private_key_path,
                        private_key_password_sealed=sealed,
                        batch_group_id=channel.batch_group_id,
                    )
                    .returning(pg_channels.c.id)
                )
        except IntegrityError:
            raise DuplicateMerchant(
                f"{channel.pg_provider} 사이트코드 {channel.site_code}는 이미 등록되어 있습니다."
            ) from None
        channel_id = int(result.scalar_one())
        return next(c for c in await self.channels(merchant_id) if c.id == channel_id)

    async def channels(self, merchant_id: int) -> list[PgChannel]:
        result = await self._conn.execute(
            select(pg_channels)
            .where(pg_channels.c.merchant_id == merchant_id)
            .order_by(pg_channels.c.is_default.desc(), pg_channels.c.id)
        )
        return [self._channel(r) for r in result.mappings()]

    def _channel(self, row: RowMapping) -> PgChannel:
        sealed = row["private_key_password_sealed"]
        password = (
            self._box.open(sealed, context=_password_context(row["merchant_id"], row["site_code"]))
            if sealed
            else None
        )
        return PgChannel(
            id=row["id"],
            merchant_id=row["merchant_id"],
            pg_provider=row["pg_provider"],
            site_code=row["site_code"],
            environment=ChannelEnvironment(row["environment"]),
            is_default=row["is_default"],
            site_name=row["site_name"],
            certificate_path=row["certificate_path"],
            private_key_path=row["private_key_path"],
            private_key_password=password,
            batch_group_id=row["batch_group_id"],
        )

    async def newest_token(self, credential_id: int) -> StoredToken | None:
        result = await self._conn.execute(
            select(access_tokens)
            .where(access_tokens.c.credential_id == credential_id)
            .order_by(access_tokens.c.issued_at.desc(), access_tokens.c.id.desc())
            .limit(1)
        )
        row = result.mappings().first()
        return _token(row) if row else None

    async def add_token(
        self, credential_id: int, nonce: str, token_hash: str, issued_at: int, expires_at: int
    ) -> StoredToken:
        result = await self._conn.execute(
            insert(access_tokens)
            .values(
                credential_id=credential_id,
                nonce=nonce,
                token_hash=token_hash,
                issued_at=issued_at,
                expires_at=expires_at,
            )
            .returning(*access_tokens.c)
        )
        return _token(result.mappings().one())

    async def extend_token(self, token_id: int, expires_at: int) -> None:
        await self._conn.execute(
            update(access_tokens).where(access_tokens.c.id == token_id).values(expires_at=expires_at)
        )

    async def merchant_for_token(self, token_hash: str, now: int) -> Merchant | None:
        result = await self._conn.execute(
            select(merchants)
            .join(api_credentials, api_credentials.c.merchant_id == merchants.c.id)
            .join(access_tokens, access_tokens.c.credential_id == api_credentials.c.id)
            .where(access_tokens.c.token_hash == token_hash, access_tokens.c.expires_at > now)
        )
        row = result.mappings().first()
        return _merchant(row) if row else None

    async def delete_tokens_expired_before(self, when: int) -> None:
        await self._conn.execute(delete(access_tokens).where(access_tokens.c.expires_at < when))
