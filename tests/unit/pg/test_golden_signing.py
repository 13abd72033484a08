"""Golden kcp_sign_data vectors (kcp.md §3.3): SHA256withRSA, PKCS#1 v1.5, standard base64.

PKCS#1 v1.5 signatures are deterministic, so a fixed key gives fixed signatures. The key in
tests/fixtures/kcp/signing is a committed TEST ONLY key (KCP's own test key is not committed;
tests/kcp_stage/test_reference_vectors.py checks KCP's published vectors when given its files).
The connector and the sandbox sign independently and must both reproduce the vectors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509

from homeport.pg.kcp.credentials import KcpCredentials
from homeport.sandbox import credentials as sandbox_credentials

SIGNING = Path(__file__).parents[2] / "fixtures" / "kcp" / "signing"
VECTORS: dict[str, str] = json.loads((SIGNING / "vectors.json").read_text())["message_to_kcp_sign_data"]


@pytest.fixture(scope="module")
def connector_credentials() -> KcpCredentials:
    return KcpCredentials.from_files(SIGNING / "T0000.cert.pem", SIGNING / "T0000.key.pem", "changeit")


@pytest.mark.parametrize(("message", "expected"), sorted(VECTORS.items()))
def test_the_connector_reproduces_the_golden_signatures(
    connector_credentials: KcpCredentials, message: str, expected: str
) -> None:
    """site_cd^tno^pay_type and site_cd^tno^mod_type sign to the recorded base64 (344 chars)."""
    signature = connector_credentials.sign(message)

    assert signature == expected
    assert len(signature) == 344


@pytest.mark.parametrize(("message", "expected"), sorted(VECTORS.items()))
def test_the_sandbox_signs_and_verifies_the_same_vectors(message: str, expected: str) -> None:
    """The emulator's own signing code agrees, and it verifies the vector against the cert."""
    key_pem = (SIGNING / "T0000.key.pem").read_bytes()
    certificate = x509.load_pem_x509_certificate((SIGNING / "T0000.cert.pem").read_bytes())

    assert sandbox_credentials.sign(key_pem, "changeit", message) == expected
    assert sandbox_credentials.signature_valid(certificate, message, expected)
    assert not sandbox_credentials.signature_valid(certificate, message + "X", expected)


def test_both_sides_serialise_the_certificate_identically(connector_credentials: KcpCredentials) -> None:
    """kcp_cert_info: the PEM without CR/LF, header spaces kept, the same on both sides."""
    pem = (SIGNING / "T0000.cert.pem").read_text()

    assert connector_credentials.cert_info == sandbox_credentials.serialize_certificate(pem)
    assert "\n" not in connector_credentials.cert_info
    assert connector_credentials.cert_info.startswith("-----BEGIN CERTIFICATE-----")
