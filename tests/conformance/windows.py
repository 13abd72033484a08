"""Playing the buyer in the sandbox's mobile window over plain HTTP, for the conformance scenarios.

What a merchant's mobile page and a buyer do, without a browser (kcp.md §6.2, §10.2):

1. the connector registers the trade (``register_trade``) and gets ``approval_key``,
   ``trace_no`` and ``pay_url``;
2. the merchant's page POSTs its order form to ``pay_url`` in EUC-KR (KCP's mobile pages are
   EUC-KR unless ``encoding_trans=UTF-8``), with the ``pay_method``/``ActionResult``/``van_code``
   of kcp.md §10.2's table — written here from kcp.md, not taken from the connector, so a
   mapping the connector gets wrong shows up as a window that refuses its trade;
3. the buyer fills the window's form and presses 결제하기;
4. the result page auto-posts ``res_cd``, ``enc_data``, ``enc_info`` and ``tran_cd`` to the
   ``Ret_URL``: those fields are read from the page instead.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import httpx

from homeport.pg.base import Declined, PgConnector, TradeRequest, WindowResult
from homeport.testing.connector_conformance import WindowOrder
from tests.sandbox_windows.pages import Form, forms

#: Where the window's result would go; the sandbox only needs an absolute http(s) URL.
RETURN_URL = "https://shop.example/kcp/return"
#: A phone's browser, as a mobile window sees it.
MOBILE_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
)

#: homeport pay method → the mobile form's ``pay_method``, ``ActionResult`` and ``van_code``
#: (kcp.md §10.2), plus the merchant fields that open an easy-pay provider directly (§10.1).
MOBILE_FORM: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "card": ("CARD", "card", "", {}),
    "trans": ("BANK", "acnt", "", {}),
    "vbank": ("VCNT", "vcnt", "", {}),
    "phone": ("MOBX", "mobx", "", {}),
    "point": ("TPNT", "ocb", "SCSK", {}),
    "cultureland": ("GIFT", "sccl", "SCCL", {}),
    "booknlife": ("GIFT", "scbl", "SCBL", {}),
    "happymoney": ("GIFT", "schm", "SCHM", {}),
    "kakaopay": ("CARD", "card", "", {"kakaopay_direct": "Y"}),
}
#: A billing-key window (kcp.md §6.2).
BILLING_FORM = ("AUTH", "batch", "", {"batch_cardno_return_yn": "Y"})

#: What the buyer picks in the window, per method (the sandbox window's own field names).
_BUYER_CHOICES: dict[str, dict[str, str]] = {
    "trans": {"bank_code": "BK04"},
    "vbank": {"vbank_code": "BK04"},
    "phone": {"commid": "SKT", "mobile_no": "01012345678"},
}

#: The pay methods this driver completes.
WINDOW_METHODS = frozenset(MOBILE_FORM)


class WindowFailed(AssertionError):
    """The window did not hand back an authentication."""


@dataclass(frozen=True)
class SandboxMobileWindow:
    """A :data:`~homeport.testing.connector_conformance.WindowDriver` for the KCP sandbox.

    ``browser`` is the buyer's browser: an HTTP client for the sandbox's root URL.
    """

    browser: httpx.AsyncClient

    async def __call__(self, connector: PgConnector, order: WindowOrder) -> WindowResult:
        """Register the trade, open the window at its PayUrl, pay, and read the result."""
        registration = await connector.register_trade(
            TradeRequest(
                order_id=order.order_id,
                amount=order.amount,
                name=order.name,
                pay_method=order.pay_method,
                return_url=RETURN_URL,
                user_agent=MOBILE_USER_AGENT,
                escrow=order.escrow,
                billing_group_id=order.billing_group_id,
            )
        )
        if isinstance(registration, Declined):
            raise WindowFailed(f"register_trade({order.pay_method}) was declined: {registration!r}")
        site_cd = await self._site_of_trade(registration.approval_key)
        merchant_form = self._merchant_form(order, site_cd, registration.approval_key, registration.trace_no)
        merchant_form["PayUrl"] = registration.pay_url
        window = await self.browser.post(
            registration.pay_url,
            content=urllib.parse.urlencode(merchant_form, encoding="cp949"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        pay_form = _form(window, "pay-form", f"the {order.pay_method} window")
        choices = {**pay_form.fields, **self._buyer_choices(order), "action": "pay"}
        result = _form(
            await self.browser.post(pay_form.action, data=choices), "kcp-return", "the result page"
        )
        fields = result.fields
        if fields.get("res_cd") != "0000" or not fields.get("enc_data"):
            raise WindowFailed(
                f"the {order.pay_method} window answered res_cd={fields.get('res_cd')!r} "
                f"res_msg={fields.get('res_msg')!r}"
            )
        return WindowResult(fields=fields)

    async def _site_of_trade(self, approval_key: str) -> str:
        """The site the connector registered the trade for (the merchant page knows its own)."""
        answer = await self.browser.get("/_sandbox/records/trade", params={"approvalKey": approval_key})
        records = answer.json()["records"]
        if len(records) != 1:
            raise WindowFailed(f"the sandbox holds {len(records)} trades for approval key {approval_key}")
        return str(records[0]["site_cd"])

    @staticmethod
    def _merchant_form(order: WindowOrder, site_cd: str, approval_key: str, trace_no: str) -> dict[str, str]:
        """The merchant page's order form (kcp.md §6.2, §10.2)."""
        if order.billing_group_id is not None:
            pay_method, action_result, van_code, extra = BILLING_FORM
            extra = {**extra, "kcp_group_id": order.billing_group_id}
        else:
            pay_method, action_result, van_code, extra = MOBILE_FORM[order.pay_method]
        fields = {
            "req_tx": "pay",
            "site_cd": site_cd,
            "shop_name": "적합성 시험 상점",
            "ordr_idxx": order.order_id,
            "good_name": order.name,
            "good_mny": str(order.amount),
            "currency": "410",
            "pay_method": pay_method,
            "ActionResult": action_result,
            "van_code": van_code,
            "Ret_URL": RETURN_URL,
            "approval_key": approval_key,
            "traceNo": trace_no,
            "escw_used": "Y" if order.escrow else "N",
            "buyr_name": order.buyer.name or "",
            "buyr_mail": order.buyer.email or "",
            "buyr_tel2": order.buyer.tel or "",
            "tablet_size": "1.0",
            # Gift certificates need the merchant's member id (kcp.md §10.1).
            "shop_user_id": "conformance-buyer",
        }
        fields.update(extra)
        return fields

    @staticmethod
    def _buyer_choices(order: WindowOrder) -> dict[str, str]:
        """What the buyer enters: a card for card, easy-pay and billing windows."""
        if order.billing_group_id is not None:
            return {"card_cd": "CCLG", "card_no": order.card_number, "card_taxno": "800101"}
        if MOBILE_FORM[order.pay_method][0] == "CARD":
            return {"card_cd": "CCLG", "card_no": order.card_number}
        return dict(_BUYER_CHOICES.get(order.pay_method, {}))


def _form(response: httpx.Response, form_id: str, what: str) -> Form:
    found = forms(response.text)
    if form_id not in found:
        raise WindowFailed(f"{what} (HTTP {response.status_code}) has no #{form_id}:\n{response.text[:1500]}")
    return found[form_id]
