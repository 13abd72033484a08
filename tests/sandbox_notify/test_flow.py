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
