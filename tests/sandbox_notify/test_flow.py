"""A virtual account issued through KCP's approval API, paid with a sandbox deposit."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from homeport.sandbox import auths
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import serialize_certificate
from tests.sandbox_notify.support import Receiver


async def test_an_account_from_a_vbank_approval_is_paid_by_deposit_and_notified(
    control: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
) -> None:
    """The approval's records (account, bank, tno, order) are what TX00 reports."""
    auth = auths.record_auth(
        sandbox,
        site_cd="T0000",
        ordr_idxx="ORDER-VBANK-1",
        good_mny=27_500,
        good_name="의자",
        pay_type="PAVC",
        use_pay_method="001000000000",
        selection={"bankcode": "BK20", "bankname": "우리은행", "depositor": "한국사이버결제"},
    )
    approval = await control.post(
        "/gw/enc/v1/payment",
        json={
            "site_cd": "T0000",
            "kcp_cert_info": serialize_certificate(sandbox.credentials["T0000"].certificate_pem()),
            "tran_cd": auth["tran_cd"],
            "enc_data": auth["enc_data"],
            "enc_info": auth["enc_info"],
            "ordr_mony": "27500",
            "ordr_no": "ORDER-VBANK-1",
            "pay_type": "PAVC",
        },
    )
    issued = approval.json()
    assert issued["res_cd"] in {"0000", "V000"}, issued

    answer = await control.post("/_sandbox/deposit", json={"tno": issued["tno"], "remitter": "최입금"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["delivered"] is True
    fields = {k: v[0] for k, v in parse_qs(receiver.posts[0].body.decode("ascii"), encoding="euc-kr").items()}
    assert fields["tno"] == issued["tno"]
    assert fields["account"] == issued["account"]
    assert fields["order_no"] == "ORDER-VBANK-1"
    assert fields["bank_code"] == "20"
    assert (fields["ipgm_mnyx"], fields["totl_mnyx"]) == ("27500", "27500")
    assert fields["remitter"] == "최입금"
    account = sandbox.ledger.get("vbank", issued["account"])
    assert account is not None
    assert account["status"] == "deposited"


async def test_an_account_issued_by_api_is_paid_by_deposit_and_notified(
    control: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
) -> None:
    """A VCNT account from the hub (kcp.md §7) takes a deposit like a window's: TX00 names its
    tno, account, order and 2-digit bank, with the orderer's name as ipgm_name."""
    issued = (
        await control.post(
            "/gw/hub/v1/payment",
            json={
                "site_cd": "T0000",
                "kcp_cert_info": serialize_certificate(sandbox.credentials["T0000"].certificate_pem()),
                "pay_method": "VCNT",
                "va_txtype": "41100000",
                "amount": "33000",
                "va_mny": "33000",
                "va_bankcode": "BK26",
                "va_name": "박주문",
                "va_date": "20260309235959",
                "va_receipt_gubn": "0",
                "currency": "410",
                "ordr_idxx": "ORDER-VCNT-1",
                "good_name": "책상",
                "buyr_name": "박주문",
            },
        )
    ).json()
    assert issued["res_cd"] == "V000", issued

    answer = await control.post("/_sandbox/deposit", json={"tno": issued["tno"], "remitter": "박입금"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["delivered"] is True
    fields = {k: v[0] for k, v in parse_qs(receiver.posts[0].body.decode("ascii"), encoding="euc-kr").items()}
    assert (fields["tx_cd"], fields["tno"], fields["account"]) == ("TX00", issued["tno"], issued["account"])
    assert (fields["order_no"], fields["bank_code"]) == ("ORDER-VCNT-1", "26")
    assert (fields["ipgm_mnyx"], fields["totl_mnyx"], fields["ipgm_name"]) == ("33000", "33000", "박주문")
    account = sandbox.ledger.get("vbank", issued["account"])
    assert account is not None
    assert account["status"] == "deposited"
