"""Sealing secrets at rest with AES-GCM (KCP key passwords now, billing keys later).

The 256-bit key comes from ``HOMEPORT_ENCRYPTION_KEY`` (base64) or, for the zero-config
default, a key file generated in the data directory. Several processes sharing one
PostgreSQL must share the key: a check value stored in the database makes a process with a
different key refuse to start instead of failing on the first decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from homeport.domain.errors import ConfigurationError

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = "v1"


class SecretBox:
    """Encrypts short strings to ``v1.<base64(nonce|ciphertext)>`` and back."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ConfigurationError("the encryption key must be 32 bytes (base64 of 32 bytes)")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, context: str) -> str:
        """Encrypt ``plaintext``; ``context`` binds it to its use (a column, a row)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}.{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str, *, context: str) -> str:
        """Decrypt what :meth:`seal` produced with the same ``context``."""
        version, _, body = token.partition(".")
        if version != _VERSION:
            raise ConfigurationError("sealed value has an unknown format")
        raw = base64.b64decode(body)
        try:
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
        except InvalidTag:
            raise ConfigurationError(
                "a stored secret cannot be decrypted: HOMEPORT_ENCRYPTION_KEY differs from the "
                "key it was written with"
            ) from None


def decode_key(encoded: str) -> bytes:
    """Decode a base64 key as given in HOMEPORT_ENCRYPTION_KEY."""
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("HOMEPORT_ENCRYPTION_KEY must be base64 of 32 random bytes") from None
    if len(key) != KEY_BYTES:
        raise ConfigurationError("HOMEPORT_ENCRYPTION_KEY must decode to exactly 32 bytes")
    return key


def load_or_create_key_file(path: Path) -> bytes:
    """Read the generated key file, creating it (mode 0600) on first start."""
    if path.exists():
        return decode_key(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
    return key


KEY_CHECK_CONTEXT = "homeport:key-check"
KEY_CHECK_PLAINTEXT = "homeport encryption key check"
