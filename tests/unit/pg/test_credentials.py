"""KCP credentials: kcp_cert_info, kcp_sign_data, and refusing a key that is not the cert's."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from homeport.domain.errors import ConfigurationError
from homeport.pg.kcp import KcpCredentials
from homeport.pg.kcp.credentials import serialize_certificate
from tests.unit.pg.support import Pair


def test_cert_info_is_the_pem_without_any_cr_or_lf(pair: Pair, credentials: KcpCredentials) -> None:
    raw = pair.certificate.read_bytes().decode("ascii")
    assert "\r\n" in raw  # the fixture's file has CRLF line ends

    info = credentials.cert_info

    assert "\r" not in info
    assert "\n" not in info
    assert info.startswith("-----BEGIN CERTIFICATE-----")  # header spaces kept
    assert info.endswith("-----END CERTIFICATE-----")
    assert info == raw.strip().replace("\r", "").replace("\n", "")


def test_serialization_removes_only_line_breaks() -> None:
    pem = "-----BEGIN CERTIFICATE-----\r\nAB CD\nEF==\r\n-----END CERTIFICATE-----\n"
    assert serialize_certificate(pem) == "-----BEGIN CERTIFICATE-----AB CDEF==-----END CERTIFICATE-----"


def test_sign_is_base64_sha256_with_rsa_pkcs1v15_verifiable_with_the_certificate(
    credentials: KcpCredentials,
) -> None:
    message = "T0000^20210719000000^STSC"

    signature = credentials.sign(message)

    assert "\n" not in signature
    assert len(signature) == 344  # 256 bytes of RSA-2048, Base64 with padding
    public_key = credentials.certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert credentials.verify(message, signature)
    assert not credentials.verify("T0000^20210719000000^STPC", signature)
    assert credentials.sign(message) == signature  # PKCS#1 v1.5 is deterministic


def test_check_pair_accepts_the_key_issued_with_the_certificate(credentials: KcpCredentials) -> None:
    credentials.check_pair()


def test_check_pair_refuses_a_key_from_another_certificate(pair: Pair, other_pair: Pair) -> None:
    mixed = KcpCredentials.from_files(pair.certificate, other_pair.key, other_pair.password)

    with pytest.raises(ConfigurationError) as refused:
        mixed.check_pair()

    assert "does not belong to the certificate" in refused.value.message
    assert str(pair.certificate) in refused.value.message


def test_a_wrong_password_is_refused_clearly_without_showing_it(pair: Pair) -> None:
    with pytest.raises(ConfigurationError) as refused:
        KcpCredentials.from_files(pair.certificate, pair.key, "not-the-password")

    assert "wrong password" in refused.value.message
    assert "not-the-password" not in refused.value.message


def test_a_missing_password_is_refused(pair: Pair) -> None:
    with pytest.raises(ConfigurationError, match="no password was given"):
        KcpCredentials.from_files(pair.certificate, pair.key, None)


def test_unreadable_files_are_refused(pair: Pair, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the KCP private key file"):
        KcpCredentials.from_files(pair.certificate, tmp_path / "missing.pem", "changeit")
    with pytest.raises(ConfigurationError, match="cannot read the KCP certificate file"):
        KcpCredentials.from_files(tmp_path / "missing.pem", pair.key, "changeit")


def test_a_certificate_file_that_is_not_a_certificate_is_refused(pair: Pair, tmp_path: Path) -> None:
    broken = tmp_path / "cert.pem"
    shutil.copy(pair.key, broken)  # a key where the certificate should be

    with pytest.raises(ConfigurationError, match=r"not a PEM X\.509 certificate"):
        KcpCredentials.from_files(broken, pair.key, "changeit")


def test_a_key_file_that_is_not_a_key_is_refused(pair: Pair) -> None:
    with pytest.raises(ConfigurationError, match="not a PEM private key"):
        KcpCredentials.from_files(pair.certificate, pair.certificate, "changeit")


def test_repr_shows_neither_key_nor_password(credentials: KcpCredentials, pair: Pair) -> None:
    text = repr(credentials) + str(credentials)

    assert "redacted" in text
    assert pair.password not in text
    assert "PRIVATE KEY" not in text
    assert "2021062910000024" in text  # the subject helps operators tell sites apart
