"""Credentials on every endpoint (kcp.md §3, §14.1): site_cd, kcp_cert_info, kcp_sign_data."""

from __future__ import annotations

from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import serialize_certificate
from tests.sandbox.kcp import BATCH, CANCEL, ENDPOINTS, ESCROW, GENERAL, INQUIRY, REGISTER, Kcp


def result_code(path: str, answer: dict[str, str]) -> str:
    """Registration answers Code, everything else res_cd."""
    return answer["Code"] if path == REGISTER else answer["res_cd"]


def test_cert_info_is_the_pem_without_line_breaks_keeping_header_spaces(sandbox: Sandbox) -> None:
    """kcp_cert_info removes every CR/LF and nothing else (kcp.md §3.1)."""
    pem = sandbox.credentials[GENERAL].certificate_pem()
    cert_info = serialize_certificate(pem)
    assert "\n" not in cert_info
    assert "\r" not in cert_info
    assert cert_info.startswith("-----BEGIN CERTIFICATE-----")
    assert cert_info.endswith("-----END CERTIFICATE-----")
    assert cert_info == pem.replace("\n", "")
    assert serialize_certificate(pem.replace("\n", "\r\n")) == cert_info


async def test_an_unknown_site_is_refused_everywhere(kcp: Kcp) -> None:
    """A site_cd the sandbox does not configure answers 9103 on every endpoint."""
    for path in ENDPOINTS:
        answer = await kcp.call(path, {"site_cd": "ZZ999", "kcp_cert_info": kcp.cert_info()})
        assert result_code(path, answer) == "9103", path


async def test_another_sites_certificate_is_refused_everywhere(kcp: Kcp) -> None:
    """T0000 presenting T0007's certificate answers 9101 on every endpoint."""
    for path in ENDPOINTS:
        answer = await kcp.call(path, {"site_cd": GENERAL, "kcp_cert_info": kcp.cert_info(ESCROW)})
        assert result_code(path, answer) == "9101", path


async def test_missing_credentials_are_named_everywhere(kcp: Kcp) -> None:
    """Without site_cd or kcp_cert_info every endpoint answers 9104 naming the field."""
    for path in ENDPOINTS:
        no_site = await kcp.call(path, {"kcp_cert_info": kcp.cert_info()})
        assert result_code(path, no_site) == "9104", path
        assert "site_cd" in str(no_site)
        no_cert = await kcp.call(path, {"site_cd": GENERAL})
        assert result_code(path, no_cert) == "9104", path
        assert "kcp_cert_info" in str(no_cert)


async def test_a_certificate_with_line_breaks_or_without_header_spaces_is_refused(kcp: Kcp) -> None:
    """The PEM as issued (with newlines) and the whitespace-stripped variant both answer 9101,
    with a message saying what is wrong."""
    pem = kcp.sandbox.credentials[GENERAL].certificate_pem()
    paid = await kcp.pay()
    request = kcp.inquiry_request(paid["tno"])
    with_newlines = await kcp.call(INQUIRY, {**request, "kcp_cert_info": pem})
    assert with_newlines["res_cd"] == "9101"
    assert "CR" in with_newlines["res_msg"]
    stripped = "".join(pem.split())
    no_spaces = await kcp.call(INQUIRY, {**request, "kcp_cert_info": stripped})
    assert no_spaces["res_cd"] == "9101"
    assert "spaces" in no_spaces["res_msg"]


async def test_a_signature_by_another_sites_key_is_refused(kcp: Kcp) -> None:
    """A cancel signed with A52Q7's key but presenting T0000's certificate answers 9102."""
    paid = await kcp.pay()
    request = kcp.cancel_request(paid["tno"], "STSC")
    request["kcp_sign_data"] = kcp.sign(GENERAL, paid["tno"], "STSC", key_of=BATCH)
    assert (await kcp.call(CANCEL, request))["res_cd"] == "9102"
    request = kcp.inquiry_request(paid["tno"])
    request["kcp_sign_data"] = kcp.sign(GENERAL, paid["tno"], "PACA", key_of=BATCH)
    assert (await kcp.call(INQUIRY, request))["res_cd"] == "9102"
    assert kcp.transaction(paid["tno"])["status"] == "STSR"


async def test_the_sandbox_verifies_a_signature_made_with_the_sites_own_key(kcp: Kcp) -> None:
    """The same request signed by T0000's own key is accepted."""
    paid = await kcp.pay()
    assert (await kcp.cancel(paid["tno"], "STSC"))["res_cd"] == "0000"
