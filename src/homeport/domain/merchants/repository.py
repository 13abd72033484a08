"""What merchants and tokens need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from typing import Protocol

from homeport.domain.merchants.models import (
    ApiCredential,
    Merchant,
    NewChannel,
    PgChannel,
    StoredToken,
)


class MerchantRepository(Protocol):
    """Merchants, their credentials, channels and tokens."""

    async def lock_for_creation(self) -> None:
        """Serialise merchant creation until the transaction ends (demo start-up races)."""
        ...

    async def count(self) -> int:
        """How many merchants exist."""
        ...

    async def add(self, code: str, name: str, created_at: int) -> Merchant:
        """Store a merchant; raise DuplicateMerchant if the code is taken."""
        ...

    async def all(self) -> list[Merchant]:
        """Every merchant, oldest first."""
        ...

    async def get_by_code(self, code: str) -> Merchant | None:
        """The merchant with this identification code."""
        ...

    async def add_credential(
        self, merchant_id: int, imp_key: str, secret_hash: str, secret_salt: str, created_at: int
    ) -> ApiCredential:
        """Store a REST API key; raise DuplicateMerchant if the key is taken."""
        ...

    async def credential_by_key(self, imp_key: str, *, lock: bool = False) -> ApiCredential | None:
        """The credential with this REST API key; ``lock`` holds it until the transaction ends."""
        ...

    async def credentials(self, merchant_id: int) -> list[ApiCredential]:
        """A merchant's REST API keys."""
        ...

    async def add_channel(self, merchant_id: int, channel: NewChannel) -> PgChannel:
        """Store a PG channel (the only default one if it says so)."""
        ...

    async def channels(self, merchant_id: int) -> list[PgChannel]:
        """A merchant's PG channels, the default first."""
        ...

    async def newest_token(self, credential_id: int) -> StoredToken | None:
        """The most recently issued token of a credential."""
        ...

    async def add_token(
        self, credential_id: int, nonce: str, token_hash: str, issued_at: int, expires_at: int
    ) -> StoredToken:
        """Store a new token."""
        ...

    async def extend_token(self, token_id: int, expires_at: int) -> None:
        """Move a token's expiry."""
        ...

    async def merchant_for_token(self, token_hash: str, now: int) -> Merchant | None:
        """The merchant owning an unexpired token with this hash."""
        ...

    async def delete_tokens_expired_before(self, when: int) -> None:
        """Forget tokens that expired before ``when``."""
        ...
