"""Reading and submitting the windows' HTML the way a browser without JavaScript would."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx

from homeport.sandbox.context import Sandbox

RET_URL = "https://shop.example/kcp/return"
APPROVAL_KEY = "k/Che+IOTaHYK33mhgeVNAcHyKIPdQ/iE35VBPEo1cQ="
TRACE_NO = "T0000MGABJUXLY81"

#: The mobile form's ActionResult and the trade's pay_method for each method (kcp.md §10.2).
MOBILE_METHODS = {
    "card": ("CARD", "card", ""),
    "bank": ("BANK", "acnt", ""),
    "vbank": ("VCNT", "vcnt", ""),
    "phone": ("MOBX", "mobx", ""),
    "ocb": ("TPNT", "ocb", "SCSK"),
    "welfare": ("TPNT", "tpnt", "SCWB"),
    "culture": ("GIFT", "sccl", "SCCL"),
    "book": ("GIFT", "scbl", "SCBL"),
    "batch": ("AUTH", "batch", ""),
}


@dataclass
class Form:
    """A form as a browser sees it: where it posts and what it would send."""

    id: str
    action: str
    method: str
    accept_charset: str
    fields: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    readonly: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._option: dict[str, str | None] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                id=attr.get("id", ""),
                action=attr.get("action", ""),
                method=attr.get("method", "get").lower(),
                accept_charset=attr.get("accept-charset", ""),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._input(self._form, attr, dict(attrs))
        elif tag == "select":
            self._select = attr.get("name") or None
            if self._select:
                self._form.names.add(self._select)
                self._form.options[self._select] = []
        elif tag == "option" and self._select:
            self._option = {
                "value": attr.get("value"),
                "selected": "selected" if "selected" in attr else None,
            }
            self._option_text = []

    def _input(self, form: Form, attr: dict[str, str], raw: dict[str, str | None]) -> None:
        name = attr.get("name")
        if not name:
            return
        form.names.add(name)
        kind = attr.get("type", "text").lower()
        if "readonly" in raw:
            form.readonly.add(name)
        if kind in {"radio", "checkbox"}:
            form.radios.setdefault(name, []).append(attr.get("value", "on"))
            if "checked" in raw:
                form.fields[name] = attr.get("value", "on")
        elif kind not in {"submit", "button", "reset"}:
            form.fields[name] = attr.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select and self._form:
            text = "".join(self._option_text).strip()
            value = self._option["value"] if self._option["value"] is not None else text
            first = not self._form.options[self._select]
            self._form.options[self._select].append((value or "", text))
            if first or self._option["selected"]:
                self._form.fields[self._select] = value or ""
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> dict[str, Form]:
    """Every form of a page, by id."""
    parser = _FormParser()
    parser.feed(html)
    return {f.id: f for f in parser.forms}


def window_form(response: httpx.Response) -> Form:
    """The window's pay form (``#pay-form``)."""
    found = forms(response.text)
    assert "pay-form" in found, response.text[:2000]
    return found["pay-form"]


def return_form(response: httpx.Response) -> Form:
    """The mobile result form that auto-posts to Ret_URL (``#kcp-return``)."""
    found = forms(response.text)
    assert "kcp-return" in found, response.text[:2000]
    return found["kcp-return"]


def pc_message(response: httpx.Response) -> dict[str, Any]:
    """The JSON message a PC window posts to the merchant page."""
    text = response.text
    start = text.index('<script type="application/json" id="kcp-result">') + len(
        '<script type="application/json" id="kcp-result">'
    )
    end = text.index("</script>", start)
    message: dict[str, Any] = json.loads(text[start:end])
    return message


def register_trade(
    sandbox: Sandbox,
    *,
    method: str = "card",
    approval_key: str = APPROVAL_KEY,
    site_cd: str = "T0000",
    ordr_idxx: str = "ORDER-0001",
    good_mny: int = 1004,
    good_name: str = "테스트 상품",
    escw_used: str = "N",
) -> None:
    """A trade registration as ``/std/tradeReg/register`` stores it (records.Trade)."""
    pay_method = MOBILE_METHODS[method][0]
    sandbox.ledger.put(
        "trade",
        approval_key,
        {
            "approvalKey": approval_key,
            "traceNo": site_cd + TRACE_NO[5:],
            "site_cd": site_cd,
            "ordr_idxx": ordr_idxx,
            "good_mny": good_mny,
            "good_name": good_name,
            "pay_method": pay_method,
            "Ret_URL": RET_URL,
            "escw_used": escw_used,
            "registered_at": "20260302100000",
            "fields": {},
        },
    )


def mobile_fields(
    method: str = "card",
    *,
    site_cd: str = "T0000",
    ordr_idxx: str = "ORDER-0001",
    good_mny: int = 1004,
    good_name: str = "테스트 상품",
    utf8: bool = True,
    **extra: str,
) -> dict[str, str]:
    """The merchant's mobile order form (kcp.md §6.2, §10.2)."""
    pay_method, action_result, van_code = MOBILE_METHODS[method]
    fields = {
        "req_tx": "pay",
        "site_cd": site_cd,
        "shop_name": "테스트 상점",
        "ordr_idxx": ordr_idxx,
        "good_name": good_name,
        "good_mny": str(good_mny),
        "currency": "410",
        "pay_method": pay_method,
        "ActionResult": action_result,
        "van_code": van_code,
        "Ret_URL": RET_URL,
        "approval_key": APPROVAL_KEY,
        "traceNo": site_cd + TRACE_NO[5:],
        "PayUrl": "http://sandbox.test/pay/mobileGW.kcp",
        "escw_used": "N",
        "param_opt_1": "옵션1",
        "param_opt_2": "",
        "param_opt_3": "opt3",
        "buyr_name": "홍길동",
        "tablet_size": "1.0",
    }
    if utf8:
        fields["encoding_trans"] = "UTF-8"
    fields.update(extra)
    return fields


async def open_mobile(
    client: httpx.AsyncClient, sandbox: Sandbox, method: str = "card", *, register: bool = True, **kwargs: Any
) -> httpx.Response:
    """Register the trade and post the mobile form through KCP's UTF-8 encoding filter."""
    fields = mobile_fields(method, **kwargs)
    if register:
        register_trade(
            sandbox,
            method=method,
            site_cd=fields["site_cd"],
            ordr_idxx=fields["ordr_idxx"],
            good_mny=int(kwargs.get("good_mny", 1004)),
            escw_used=fields["escw_used"],
        )
    return await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)


async def post_euc_kr(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> httpx.Response:
    """Post a form encoded in EUC-KR (Windows-949), as a Korean mobile page does."""
    body = urllib.parse.urlencode(fields, encoding="cp949")
    return await client.post(
        path, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def submit(
    client: httpx.AsyncClient, form: Form, action: str = "pay", **changes: str
) -> httpx.Response:
    """Press a window button with some fields changed."""
    data = {**form.fields, **changes, "action": action}
    return await client.post(form.action, data=data)


def pc_fields(pay_method: str = "100000000000", **extra: str) -> dict[str, str]:
    """The merchant's PC order form as kcp_spay_hub.js posts it (kcp.md §10.1)."""
    fields = {
        "site_cd": "T0000",
        "site_name": "테스트 상점",
        "ordr_idxx": "PC-ORDER-0001",
        "good_name": "PC 테스트 상품",
        "good_mny": "1004",
        "pay_method": pay_method,
        "currency": "410",
        "buyr_name": "홍길동",
        "module_type": "01",
        "res_cd": "",
        "res_msg": "",
        "enc_info": "",
        "enc_data": "",
        "ret_pay_method": "",
        "tran_cd": "",
        "use_pay_method": "",
        "ordr_chk": "",
        "sandbox_parent_origin": "https://shop.example",
        "sandbox_nonce": "0123456789abcdef0123456789abcdef",
    }
    fields.update(extra)
    return fields
