"""A merchant's side of the KCP protocol for sandbox tests, written from kcp.md (not from sandbox.server).

``Kcp`` builds ``kcp_cert_info`` from a site's certificate file and ``kcp_sign_data`` with the
site's generated key, records window authentications directly (windows are tested on their
own), and wraps the common calls.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx

from homeport.sandbox import auths
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import serialize_certificate, sign
from homeport.sandbox.records import Auth

GENERAL, ESCROW, BATCH = "T0000", "T0007", "A52Q7"
GROUP_ID = "A52Q71000489"

REGISTER = "/std/tradeReg/register"
APPROVE = "/gw/enc/v1/payment"
HUB = "/gw/hub/v1/payment"
CANCEL = "/gw/mod/v1/cancel"
INQUIRY = "/std/inquery"
ENDPOINTS = (REGISTER, APPROVE, HUB, CANCEL, INQUIRY)

#: A Luhn-valid card number no scenario uses.
GOOD_CARD = "4111111111111111"

USE_PAY_METHOD = {
    "PACA": "100000000000",
    "PABK": "010000000000",
    "PAVC": "001000000000",
    "PAPT": "000100000000",
    "PAMC": "000010000000",
    "PATK": "000000001000",
    "AUTH": "100000000000",
}

#: What a buyer picks in a window, per pay_type (keys as auths.py documents).
SELECTIONS: dict[str, dict[str, Any]] = {
    "PACA": {
        "card_cd": "CCBC",
        "card_name": "BC카드",
        "card_no": "411111******1111",
        "quota": "00",
        "noinf": "N",
        "partcanc_yn": "Y",
        "card_bin_type_01": "0",
        "card_bin_type_02": "0",
    },
    "PABK": {"bank_code": "BK04", "bank_name": "국민은행"},
    "PAVC": {"bankcode": "BK20", "bankname": "우리은행", "depositor": "한국사이버결제"},
    "PAMC": {"commid": "SKT", "mobile_no": "01012345678"},
    "PAPT": {"pnt_issue": "SCSK"},
    "PATK": {"tk_van_code": "SCCL", "shop_user_id": "buyer1"},
}

_orders = itertools.count(1)


def new_order() -> str:
    """A fresh merchant order number."""
    return f"ORD-{next(_orders):06d}"


class Kcp:
    """The merchant side of KCP's server API against a sandbox."""

    def __init__(self, client: httpx.AsyncClient, sandbox: Sandbox) -> None:
        self.client = client
        self.sandbox = sandbox

    # --- credentials ---------------------------------------------------------------------

    def cert_info(self, site_cd: str = GENERAL) -> str:
        """``kcp_cert_info``: the site's certificate file with CR/LF removed (kcp.md §3.1)."""
        return serialize_certificate(self.sandbox.credentials[site_cd].certificate_pem())

    def creds(self, site_cd: str = GENERAL) -> dict[str, str]:
        """``site_cd`` and ``kcp_cert_info``."""
        return {"site_cd": site_cd, "kcp_cert_info": self.cert_info(site_cd)}

    def sign(self, *parts: str, key_of: str = GENERAL) -> str:
        """``kcp_sign_data`` over ``parts`` joined with ``^``, by ``key_of``'s private key."""
        credentials = self.sandbox.credentials[key_of]
        return sign(credentials.private_key_path.read_bytes(), credentials.key_password, "^".join(parts))

    # --- raw calls -----------------------------------------------------------------------

    async def post(
        self, path: str, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST a JSON object (or raw bytes) as KCP's samples do."""
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return await self.client.post(
            path, content=content, headers={"Content-Type": "application/json", **(headers or {})}
        )

    async def call(
        self, path: str, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> dict[str, str]:
        """POST and read KCP's answer: HTTP 200, UTF-8 JSON, every value a string."""
        response = await self.post(path, body, headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        data = response.json()
        assert isinstance(data, dict)
        assert all(isinstance(v, str) for v in data.values()), data
        return data

    # --- windows (recorded directly) -----------------------------------------------------

    def auth(
        self,
        pay_type: str = "PACA",
        amount: int = 1004,
        *,
        site_cd: str = GENERAL,
        ordr_idxx: str | None = None,
        selection: dict[str, Any] | None = None,
        scenario: str = "normal",
        escw_used: str = "N",
    ) -> Auth:
        """A buyer's successful window authentication."""
        return auths.record_auth(
            self.sandbox,
            site_cd=site_cd,
            ordr_idxx=ordr_idxx or new_order(),
            good_mny=amount,
            good_name="테스트 상품",
            pay_type=pay_type,
            use_pay_method=USE_PAY_METHOD[pay_type],
            selection=dict(SELECTIONS[pay_type] if selection is None else selection),
            scenario=scenario,
            escw_used=escw_used,
        )

    def batch_auth(self, *, site_cd: str = BATCH, group_id: str = GROUP_ID, scenario: str = "normal") -> Auth:
        """A buyer's batch-key authentication in a window (``tran_cd`` 00300001)."""
        return auths.record_auth(
            self.sandbox,
            site_cd=site_cd,
            ordr_idxx=new_order(),
            good_mny=0,
            pay_type="AUTH",
            use_pay_method=USE_PAY_METHOD["AUTH"],
            selection={
                "group_id": group_id,
                "card_cd": "CCSS",
                "card_name": "삼성카드",
                "card_mask_no": "411111******1111",
                "card_bin_type_01": "0",
                "card_bin_type_02": "0",
            },
            tran_cd=auths.TRAN_BATCH_KEY,
            scenario=scenario,
        )

    # --- flows ---------------------------------------------------------------------------

    def approval_request(self, auth: Auth, **overrides: str) -> dict[str, str]:
        """The approval request KCP's samples send after a window (tran_cd 00100000)."""
        body = {
            **self.creds(auth["site_cd"]),
            "tran_cd": auth["tran_cd"],
            "enc_data": auth["enc_data"],
            "enc_info": auth["enc_info"],
            "ordr_mony": str(auth["good_mny"]),
            "ordr_no": auth["ordr_idxx"],
            "pay_type": auth["pay_type"],
        }
        if auth["tran_cd"] == auths.TRAN_BATCH_KEY:
            for name in ("ordr_mony", "ordr_no", "pay_type"):
                del body[name]
        body.update(overrides)
        return body

    async def approve(
        self, auth: Auth, *, headers: dict[str, str] | None = None, **overrides: str
    ) -> dict[str, str]:
        """Approve a window authentication."""
        return await self.call(APPROVE, self.approval_request(auth, **overrides), headers)

    async def pay(self, pay_type: str = "PACA", amount: int = 1004, **auth_options: Any) -> dict[str, str]:
        """A window payment, approved."""
        result = await self.approve(self.auth(pay_type, amount, **auth_options))
        assert result["res_cd"] == "0000", result
        return result

    async def issue_batch_key(self, **options: Any) -> str:
        """A billing key issued through a window."""
        result = await self.approve(self.batch_auth(**options))
        assert result["res_cd"] == "0000", result
        return result["batch_key"]

    def batch_pay_request(self, batch_key: str, amount: int = 5000, **overrides: str) -> dict[str, str]:
        """A batch-key payment request (kcp.md §6.5)."""
        body = {
            **self.creds(BATCH),
            "pay_method": "CARD",
            "cust_ip": "",
            "amount": str(amount),
            "card_mny": str(amount),
            "currency": "410",
            "quota": "00",
            "ordr_idxx": new_order(),
            "good_name": "정기구독",
            "buyr_name": "홍길동",
            "buyr_mail": "buyer@example.com",
            "buyr_tel2": "01012345678",
            "card_tx_type": "11511000",
            "bt_batch_key": batch_key,
            "bt_group_id": GROUP_ID,
        }
        body.update(overrides)
        return body

    async def batch_pay(
        self, batch_key: str, amount: int = 5000, *, headers: dict[str, str] | None = None, **overrides: str
    ) -> dict[str, str]:
        """Pay with a billing key."""
        return await self.call(HUB, self.batch_pay_request(batch_key, amount, **overrides), headers)

    def keyin_request(self, card_no: str = GOOD_CARD, amount: int = 3000, **overrides: str) -> dict[str, str]:
        """A key-in card payment request (kcp.md §7)."""
        body = {
            **self.creds(GENERAL),
            "pay_method": "CARD",
            "card_tx_type": "11121000",
            "card_no": card_no,
            "card_expiry": "3012",
            "card_taxno": "900101",
            "card_pwd": "00",
            "amount": str(amount),
            "card_mny": str(amount),
            "currency": "410",
            "quota": "00",
            "ordr_idxx": new_order(),
            "good_name": "수기결제 상품",
            "buyr_name": "홍길동",
            "cust_ip": "127.0.0.1",
        }
        body.update(overrides)
        return body

    async def keyin(self, card_no: str = GOOD_CARD, amount: int = 3000, **overrides: str) -> dict[str, str]:
        """A key-in card payment."""
        return await self.call(HUB, self.keyin_request(card_no, amount, **overrides))

    def cancel_request(
        self, tno: str, mod_type: str = "STSC", *, site_cd: str = GENERAL, **fields: str
    ) -> dict[str, str]:
        """A cancel request signed over ``site_cd^tno^mod_type`` (kcp.md §4)."""
        return {
            **self.creds(site_cd),
            "kcp_sign_data": self.sign(site_cd, tno, mod_type, key_of=site_cd),
            "tno": tno,
            "mod_type": mod_type,
            "mod_desc": "고객 요청",
            **fields,
        }

    async def cancel(
        self, tno: str, mod_type: str = "STSC", *, site_cd: str = GENERAL, **fields: str
    ) -> dict[str, str]:
        """Cancel (``STSC``), partially cancel (``STPC``, give mod_mny and rem_mny), refund."""
        return await self.call(CANCEL, self.cancel_request(tno, mod_type, site_cd=site_cd, **fields))

    def inquiry_request(self, tno: str, pay_type: str = "PACA", *, site_cd: str = GENERAL) -> dict[str, str]:
        """An inquiry request signed over ``site_cd^tno^pay_type`` (kcp.md §5)."""
        return {
            **self.creds(site_cd),
            "kcp_sign_data": self.sign(site_cd, tno, pay_type, key_of=site_cd),
            "tno": tno,
            "pay_type": pay_type,
        }

    async def inquire(self, tno: str, pay_type: str = "PACA", *, site_cd: str = GENERAL) -> dict[str, str]:
        """Look a transaction up."""
        return await self.call(INQUIRY, self.inquiry_request(tno, pay_type, site_cd=site_cd))

    # --- state ---------------------------------------------------------------------------

    def transaction(self, tno: str) -> dict[str, Any]:
        """The sandbox's record of a transaction."""
        record = self.sandbox.ledger.get("transaction", tno)
        assert record is not None, tno
        return record

    def deposit(self, tno: str, amount: int | None = None) -> None:
        """Book a deposit to a transaction's virtual account (as the stage mock page does)."""
        transaction = self.transaction(tno)
        account = self.sandbox.ledger.get("vbank", transaction["vbank_account"])
        assert account is not None
        paid = transaction["amount"] if amount is None else amount
        account.update(deposited=paid, status="deposited")  # the sandbox reads the vbank record's sum
        self.sandbox.ledger.update("vbank", account["account"], account)
