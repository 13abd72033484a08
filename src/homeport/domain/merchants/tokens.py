"""Access-token rules of ``POST /users/getToken`` and how tokens are derived and checked.

The contract (iamport-v1 §2.1): a token lives 30 minutes; asking again while it is valid
returns the same token and ``expired_at`` (clients such as iamport-rest-client call getToken
before every request); asking in its last minute extends it by 5 minutes; after expiry a new
one is issued.

Returning "the same token" means we must be able to produce it again, yet we keep neither
the token nor the API secret in clear. So a token is derived: HMAC-SHA256 keyed with the
API secret the caller presents, over a random nonce we store. The database holds the nonce
and the token's SHA-256 (for lookups on every request), neither of which is usable alone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import Enum

from homeport.domain.merchants.models import StoredToken

TOKEN_LIFETIME_SECONDS = 30 * 60
EXTENSION_WINDOW_SECONDS = 60
EXTENSION_SECONDS = 5 * 60
TOKEN_LENGTH = 40  # observed: 40 lowercase hex characters


class TokenDecision(Enum):
    """What getToken does with the credential's newest token."""

    REUSE = "reuse"
    EXTEND = "extend"
    ISSUE = "issue"


def decide(current: StoredToken | None, now: int) -> TokenDecision:
    """Reuse a valid token, extend one in its last minute, or issue a new one."""
    if current is None or current.expires_at <= now:
        return TokenDecision.ISSUE
    if current.expires_at - now <= EXTENSION_WINDOW_SECONDS:
        return TokenDecision.EXTEND
    return TokenDecision.REUSE


def new_nonce() -> str:
    """Random input for a new token."""
    return secrets.token_hex(16)


def derive_token(imp_secret: str, credential_id: int, nonce: str) -> str:
    """The access token for this credential and nonce (40 lowercase hex characters)."""
    message = f"{credential_id}:{nonce}".encode()
    return hmac.new(imp_secret.encode(), message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def token_hash(token: str) -> str:
    """What we store and look tokens up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_salt() -> str:
    """Random salt for a secret hash."""
    return secrets.token_hex(16)


def hash_secret(secret: str, salt: str) -> str:
    """Salted hash of a REST API secret.

    Secrets homeport generates carry ~476 bits of entropy, so a fast keyed hash is enough;
    a slow KDF would be paid on every getToken, which some clients call before each request.
    """
    return hmac.new(salt.encode(), secret.encode(), hashlib.sha256).hexdigest()


def secret_matches(secret: str, salt: str, expected_hash: str) -> bool:
    """Constant-time check of a presented secret against its stored hash."""
    return hmac.compare_digest(hash_secret(secret, salt), expected_hash)
