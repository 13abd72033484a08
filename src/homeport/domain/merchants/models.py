"""Merchants, their REST API credentials, access tokens and PG channels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChannelEnvironment(StrEnum):
    """Which KCP a channel talks to."""

    SANDBOX = "sandbox"
    """homeport's built-in KCP emulator; no money moves."""
    STAGE = "stage"
    """KCP's own test servers (stg-spl.kcp.co.kr); test site codes only."""
    PRODUCTION = "production"
    """Real KCP; real money."""


@dataclass(frozen=True)
class Merchant:
    """A shop using homeport, known to browsers by its code (``IMP.init(code)``)."""

    id: int
    code: str
    name: str
    created_at: int


@dataclass(frozen=True)
class PgChannel:
    """One PG contract of a merchant: for KCP a site code and its credentials.

    The certificate and private key stay in files the operator controls; only their paths
    are stored. The key's password is stored encrypted (see ``homeport.store.crypto``).
    """

    id: int
    merchant_id: int
    pg_provider: str
    site_code: str
    environment: ChannelEnvironment
    is_default: bool
    site_name: str | None = None
    certificate_path: str | None = None
    private_key_path: str | None = None
    private_key_password: str | None = None
    batch_group_id: str | None = None

    @property
    def sandbox(self) -> bool:
        """Whether payments on this channel are test payments (i'mport's ``sandbox``)."""
        return self.environment is not ChannelEnvironment.PRODUCTION


@dataclass(frozen=True)
class NewChannel:
    """A channel to add to a merchant."""

    site_code: str
    environment: ChannelEnvironment = ChannelEnvironment.SANDBOX
    pg_provider: str = "kcp"
    site_name: str | None = None
    certificate_path: str | None = None
    private_key_path: str | None = None
    private_key_password: str | None = None
    batch_group_id: str | None = None
    is_default: bool = True


@dataclass(frozen=True)
class ApiCredential:
    """A REST API key and the salted hash of its secret (the secret itself is never kept)."""

    id: int
    merchant_id: int
    imp_key: str
    secret_hash: str
    secret_salt: str
    created_at: int


@dataclass(frozen=True)
class StoredToken:
    """An access token as stored: its hash and the nonce it was derived from."""

    id: int
    credential_id: int
    nonce: str
    token_hash: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class AccessToken:
    """What ``POST /users/getToken`` returns."""

    token: str
    now: int
    expires_at: int


@dataclass(frozen=True)
class CreatedMerchant:
    """A new merchant with its REST API secret in clear: shown once, then gone."""

    merchant: Merchant
    imp_key: str
    imp_secret: str
    channels: tuple[PgChannel, ...]
