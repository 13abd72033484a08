"""A KCP site's service certificate and private key, and ``kcp_sign_data`` (kcp.md §3).

- ``kcp_cert_info`` is the certificate PEM exactly as issued with every CR and LF removed;
  the header and footer keep their inner spaces (§3.1).
- The private key is an encrypted PKCS#8 PEM (``-----BEGIN ENCRYPTED PRIVATE KEY-----``)
  protected by a password chosen at issuance (§3.2); it never leaves this object.
- ``kcp_sign_data`` is an RSA PKCS#1 v1.5 SHA-256 signature of the sign string, in standard
  Base64 with padding and no line breaks (§3.3).

Neither the key nor its password appears in ``repr`` or in any error message.
"""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from homeport.domain.errors import ConfigurationError

#: What :meth:`KcpCredentials.check_pair` signs; any ASCII text would do.
_PAIR_PROBE = "homeport^check_pair^kcp_sign_data"


def serialize_certificate(pem: str) -> str:
    """``kcp_cert_info``: the PEM text with every CR and LF removed, nothing else changed."""
    return pem.replace("\r", "").replace("\n", "")


class KcpCredentials:
    """A site's certificate (public) and private key (secret), able to sign for KCP."""

    __slots__ = ("_cert_info", "_certificate", "_private_key", "_source")

    def __init__(
        self, certificate_pem: str, private_key: rsa.RSAPrivateKey, *, source: str = "memory"
    ) -> None:
        try:
            self._certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ConfigurationError(
                f"the KCP certificate ({source}) is not a PEM X.509 certificate"
            ) from exc
        self._cert_info = serialize_certificate(certificate_pem.strip())
        self._private_key = private_key
        self._source = source

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def from_pem(
        cls,
        certificate_pem: bytes | str,
        private_key_pem: bytes,
        password: str | None,
        *,
        source: str = "memory",
    ) -> KcpCredentials:
        """Credentials from PEM bytes; ConfigurationError saying what is wrong with them."""
        cert_text = (
            certificate_pem.decode("ascii", "replace")
            if isinstance(certificate_pem, bytes)
            else certificate_pem
        )
        key = _load_private_key(private_key_pem, password, source=source)
        return cls(cert_text, key, source=source)

    @classmethod
    def from_files(
        cls, certificate_path: Path, private_key_path: Path, password: str | None
    ) -> KcpCredentials:
        """Credentials from a certificate PEM file and an encrypted PKCS#8 key file."""
        certificate_pem = _read(certificate_path, "certificate")
        key_pem = _read(private_key_path, "private key")
        source = f"certificate {certificate_path}, key {private_key_path}"
        return cls.from_pem(certificate_pem, key_pem, password, source=source)

    # --- use -----------------------------------------------------------------------------

    @property
    def cert_info(self) -> str:
        """``kcp_cert_info`` (kcp.md §3.1)."""
        return self._cert_info

    @property
    def certificate(self) -> x509.Certificate:
        """The service certificate."""
        return self._certificate

    @property
    def subject(self) -> str:
        """The certificate's subject, RFC 4514 style (for messages and logs)."""
        return self._certificate.subject.rfc4514_string()

    def sign(self, message: str) -> str:
        """``kcp_sign_data`` of ``message``: Base64 SHA256withRSA, PKCS#1 v1.5 (kcp.md §3.3)."""
        signature = self._private_key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def verify(self, message: str, signature: str) -> bool:
        """Whether ``signature`` is the certificate key's signature of ``message``."""
        public_key = self._certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            return False
        try:
            raw = base64.b64decode(signature, validate=True)
            public_key.verify(raw, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def check_pair(self) -> None:
        """Refuse (ConfigurationError) unless the private key belongs to the certificate.

        Signs a probe with the key and verifies it with the certificate's public key, as
        KCP will (kcp.md §3.3). Run at start-up for stage and production channels.
        """
        if not isinstance(self._certificate.public_key(), rsa.RSAPublicKey):
            raise ConfigurationError(
                f"the KCP certificate ({self._source}) does not hold an RSA public key; "
                "KCP service certificates are RSA-2048"
            )
        if not self.verify(_PAIR_PROBE, self.sign(_PAIR_PROBE)):
            raise ConfigurationError(
                f"the KCP private key does not belong to the certificate ({self._source}; "
                f"certificate subject {self.subject}): KCP would reject every kcp_sign_data. "
                "Use the key file issued together with this certificate."
            )

    def __repr__(self) -> str:
        return f"KcpCredentials(subject={self.subject!r}, private_key=<redacted>)"

    __str__ = __repr__


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the KCP {what} file {path}: {exc.strerror or type(exc).__name__}"
        ) from exc


def _load_private_key(data: bytes, password: str | None, *, source: str) -> rsa.RSAPrivateKey:
    """The RSA private key in ``data``; ConfigurationError naming the problem, never the password."""
    secret = password.encode("utf-8") if password else None
    try:
        key = load_pem_private_key(data, password=secret)
    except TypeError as exc:
        if secret is None:
            message = "the KCP private key is encrypted but no password was given"
        else:
            message = "the KCP private key is not encrypted but a password was given"
        raise ConfigurationError(f"{message} ({source})") from exc
    except ValueError as exc:
        if b"ENCRYPTED" in data:
            message = "cannot decrypt the KCP private key: wrong password, or a damaged key file"
        else:
            message = "the KCP private key file is not a PEM private key"
        raise ConfigurationError(f"{message} ({source})") from exc
    except UnsupportedAlgorithm as exc:
        raise ConfigurationError(f"the KCP private key uses an unsupported algorithm ({source})") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"the KCP private key is not an RSA key ({source})")
    return key
