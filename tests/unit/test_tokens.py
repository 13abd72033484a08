"""getToken's lifetime rules and how tokens are derived (iamport-v1 §2.1)."""

from __future__ import annotations

from homeport.domain.merchants.models import StoredToken
from homeport.domain.merchants.tokens import (
    TOKEN_LIFETIME_SECONDS,
    TokenDecision,
    decide,
    derive_token,
    hash_secret,
    secret_matches,
    token_hash,
)

NOW = 1_767_225_600


def stored(expires_at: int) -> StoredToken:
    return StoredToken(1, 1, "nonce", "hash", expires_at - TOKEN_LIFETIME_SECONDS, expires_at)


def test_without_a_token_a_new_one_is_issued() -> None:
    """The first call issues."""
    assert decide(None, NOW) is TokenDecision.ISSUE


def test_a_token_with_more_than_a_minute_left_is_reused() -> None:
    """Clients that call getToken before every request get the same token back."""
    assert decide(stored(NOW + 61), NOW) is TokenDecision.REUSE


def test_a_token_in_its_last_minute_is_extended() -> None:
    """Within the last minute the existing token is extended (by five minutes)."""
    assert decide(stored(NOW + 60), NOW) is TokenDecision.EXTEND
    assert decide(stored(NOW + 1), NOW) is TokenDecision.EXTEND


def test_an_expired_token_is_replaced() -> None:
    """At or after expiry a new token is issued."""
    assert decide(stored(NOW), NOW) is TokenDecision.ISSUE
    assert decide(stored(NOW - 100), NOW) is TokenDecision.ISSUE


def test_tokens_are_40_lowercase_hex_characters_and_reproducible() -> None:
    """The observed shape; the same secret and nonce always give the same token."""
    token = derive_token("secret", 7, "abc")

    assert len(token) == 40
    assert token == token.lower()
    int(token, 16)
    assert derive_token("secret", 7, "abc") == token


def test_a_token_cannot_be_derived_without_the_secret() -> None:
    """Another secret, credential or nonce gives an unrelated token."""
    token = derive_token("secret", 7, "abc")

    assert derive_token("other", 7, "abc") != token
    assert derive_token("secret", 8, "abc") != token
    assert derive_token("secret", 7, "abd") != token


def test_the_stored_token_hash_is_not_the_token() -> None:
    """Only a SHA-256 of the token is kept."""
    assert token_hash("a" * 40) != "a" * 40
    assert len(token_hash("a" * 40)) == 64


def test_secrets_are_checked_against_their_salted_hash() -> None:
    """The right secret matches; a wrong one or another salt does not."""
    digest = hash_secret("s3cret-value", "salt")

    assert secret_matches("s3cret-value", "salt", digest)
    assert not secret_matches("s3cret-valuf", "salt", digest)
    assert not secret_matches("s3cret-value", "pepper", digest)
