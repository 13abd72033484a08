"""Windows with the KCP server API: register, open PayUrl, authenticate, approve."""

from __future__ import annotations

from typing import Any

import httpx

from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import serialize_certificate
from tests.sandbox_windows.pages import (
    RET_URL,
    mobile_fields,
    pc_fields,
    pc_message,
    post_euc_kr,
    return_form,
    submit,
    window_form,
)


def cert_info(sandbox: Sandbox, site_cd: str) -> str:
    """``kcp_cert_info`` for a sandbox site (kcp.md §3.1)."""
    return serialize_certificate(sandbox.credentials[site_cd].certificate_pem())


async def kcp(client: httpx.AsyncClient, path: str, body: dict[str, str]) -> dict[str, Any]:
    """A merchant server's JSON call to the KCP API."""
    response = await client.post(path, json=body)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


async def register(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    *,
    site_cd: str,
    pay_method: str,
    good_mny: int,
    ordr_idxx: str,
) -> dict[str, Any]:
    """Mobile trade registration through /std/tradeReg/register."""
    answer = await kcp(
        client,
        "/std/tradeReg/register",
        {
            "site_cd": site_cd,
            "kcp_cert_info": cert_info(sandbox, site_cd),
            "ordr_idxx": ordr_idxx,
            "good_mny": str(good_mny),
            "good_name": "한글 상품",
            "pay_method": pay_method,
            "Ret_URL": RET_URL,
        },
    )
    assert answer["Code"] == "0000", answer
    return answer


async def test_mobile_window_auth_is_approved_by_the_api(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Register → EUC-KR post to the returned PayUrl → pay → /gw/enc/v1/payment answers 0000
    with the card the buyer chose; a second approval of the same tokens is refused."""
    registered = await register(
        client, sandbox, site_cd="T0000", pay_method="CARD", good_mny=55_000, ordr_idxx="E2E-0001"
    )
    fields = mobile_fields(
        ordr_idxx="E2E-0001",
        good_mny=55_000,
        good_name="한글 상품",
        utf8=False,
        approval_key=registered["approvalKey"],
        traceNo=registered["traceNo"],
        PayUrl=registered["PayUrl"],
    )
    window = await post_euc_kr(client, registered["PayUrl"], fields)
    result = return_form(await submit(client, window_form(window), card_cd="CCLG", quota="03"))
    assert result.fields["res_cd"] == "0000"

    approval_request = {
        "site_cd": "T0000",
        "kcp_cert_info": cert_info(sandbox, "T0000"),
        "tran_cd": result.fields["tran_cd"],
        "enc_data": result.fields["enc_data"],
        "enc_info": result.fields["enc_info"],
        "ordr_mony": "55000",
        "ordr_no": "E2E-0001",
        "pay_type": "PACA",
    }
    approval = await kcp(client, "/gw/enc/v1/payment", approval_request)

    assert approval["res_cd"] == "0000", approval
    assert approval["card_cd"] == "CCLG"
    assert approval["quota"] == "03"
    assert approval["card_no"] == "411111******1111"
    assert len(approval["tno"]) == 14
    again = await kcp(client, "/gw/enc/v1/payment", approval_request)
    assert again["res_cd"] != "0000"


async def test_tampered_amount_is_not_approved(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """The approval checks ordr_mony against the amount the window authenticated (8059)."""
    form = window_form(await client.post("/pay/pc", data=pc_fields()))
    result = pc_message(await submit(client, form))["fields"]

    approval = await kcp(
        client,
        "/gw/enc/v1/payment",
        {
            "site_cd": "T0000",
            "kcp_cert_info": cert_info(sandbox, "T0000"),
            "tran_cd": result["tran_cd"],
            "enc_data": result["enc_data"],
            "enc_info": result["enc_info"],
            "ordr_mony": "10",
            "ordr_no": "PC-ORDER-0001",
            "pay_type": "PACA",
        },
    )

    assert approval["res_cd"] == "8059"


async def test_pc_vbank_window_issues_the_account_at_approval(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A PC virtual-account window's bank and deadline come back from the approval."""
    form = window_form(await client.post("/pay/pc", data=pc_fields("001000000000", ipgm_date="20260306")))
    result = pc_message(await submit(client, form, vbank_code="BK81"))["fields"]

    approval = await kcp(
        client,
        "/gw/enc/v1/payment",
        {
            "site_cd": "T0000",
            "kcp_cert_info": cert_info(sandbox, "T0000"),
            "tran_cd": result["tran_cd"],
            "enc_data": result["enc_data"],
            "enc_info": result["enc_info"],
            "ordr_mony": "1004",
            "ordr_no": "PC-ORDER-0001",
            "pay_type": "PAVC",
        },
    )

    assert approval["res_cd"] == "0000", approval
    assert approval["bankcode"] == "BK81"
    assert approval["va_date"] == "20260306235959"
    assert approval["account"].startswith("T")


async def test_mobile_batch_window_issues_a_batch_key(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Batch-key window (AUTH, kcp_group_id) → /gw/enc/v1/payment with tran_cd 00300001 answers a
    16-digit batch_key for the chosen card."""
    registered = await register(
        client, sandbox, site_cd="A52Q7", pay_method="AUTH", good_mny=0, ordr_idxx="BATCH-0001"
    )
    fields = mobile_fields(
        "batch",
        site_cd="A52Q7",
        ordr_idxx="BATCH-0001",
        good_mny=0,
        good_name="한글 상품",
        approval_key=registered["approvalKey"],
        traceNo=registered["traceNo"],
        kcp_group_id="A52Q71000489",
    )
    window = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)
    result = return_form(await submit(client, window_form(window), card_cd="CCSS", card_taxno="800101"))
    assert result.fields["tran_cd"] == "00300001"

    issued = await kcp(
        client,
        "/gw/enc/v1/payment",
        {
            "site_cd": "A52Q7",
            "kcp_cert_info": cert_info(sandbox, "A52Q7"),
            "tran_cd": result.fields["tran_cd"],
            "enc_data": result.fields["enc_data"],
            "enc_info": result.fields["enc_info"],
        },
    )

    assert issued["res_cd"] == "0000", issued
    assert len(issued["batch_key"]) == 16
    assert issued["card_cd"] == "CCSS"
    assert "tno" not in issued
