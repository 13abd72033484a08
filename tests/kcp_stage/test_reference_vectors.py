"""KCP's own test key reproduces the signature vectors of kcp.md §3.4.

KCP's test certificate and key (``splCert.pem``, ``splPrikeyPKCS8.pem``, password
``changeit``, from KCP's published samples) must not be committed, so this test runs only
when the environment points at them:

    HOMEPORT_KCP_TEST_CERT_FILE=/path/splCert.pem \
    HOMEPORT_KCP_TEST_KEY_FILE=/path/splPrikeyPKCS8.pem \
    pytest -m kcp_stage tests/kcp_stage

``HOMEPORT_KCP_TEST_KEY_PASSWORD`` overrides the password (default ``changeit``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from homeport.pg.kcp import KcpCredentials
from homeport.pg.kcp.wire import cancel_sign_string, inquiry_sign_string

pytestmark = pytest.mark.kcp_stage

CERT_VAR, KEY_VAR, PASSWORD_VAR = (
    "HOMEPORT_KCP_TEST_CERT_FILE",
    "HOMEPORT_KCP_TEST_KEY_FILE",
    "HOMEPORT_KCP_TEST_KEY_PASSWORD",
)


@pytest.fixture(scope="module")
def kcp_test_credentials() -> KcpCredentials:
    cert, key = os.environ.get(CERT_VAR), os.environ.get(KEY_VAR)
    if not cert or not key:
        pytest.skip(
            f"KCP's published test certificate and key are not committed; set {CERT_VAR} and {KEY_VAR} "
            "to splCert.pem and splPrikeyPKCS8.pem from KCP's samples to run the kcp.md §3.4 vectors"
        )
    return KcpCredentials.from_files(Path(cert), Path(key), os.environ.get(PASSWORD_VAR, "changeit"))


def test_kcps_key_belongs_to_kcps_certificate(kcp_test_credentials: KcpCredentials) -> None:
    kcp_test_credentials.check_pair()
    assert len(kcp_test_credentials.cert_info) == 1256  # kcp.md §3.1: splCert.pem without line breaks


@pytest.mark.parametrize(
    ("message", "head", "tail"),
    [
        (
            inquiry_sign_string("T0000", "20210719000000", "PACA"),
            "L5r5G4+C42/zTg5uejb5sLSx36J4xq29NSExzCjm",
            "nMYo9JCpZLpRNr62LVJEwOwC8BJg==",
        ),
        (
            cancel_sign_string("T0000", "20210719000000", "STSC"),
            "NdqT4gVuQ3WlU1r03U+oA7hmvDRq38Kof1HLvDrb",
            "3zlQOZk1TM4ppAGHWoBfSA3eOToQ==",
        ),
    ],
)
def test_signatures_match_kcp_md_vectors(
    kcp_test_credentials: KcpCredentials, message: str, head: str, tail: str
) -> None:
    signature = kcp_test_credentials.sign(message)

    assert len(signature) == 344
    assert signature.startswith(head)
    assert signature.endswith(tail)
