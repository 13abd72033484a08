"""Charges and cancels through the real clients: the cards they send, the answers they must
hand back (iamport-v1 §4.1, §4.4, §5.2, §8; docs/decisions/0003-charges-and-cancels.md).

Every scenario here creates payments, so it calls as the package's second merchant
(``Shop.writer``, see ``shop.py``) and never moves the demo merchant's listings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx

from tests.e2e.clients.shop import BILLING_CARD, MASKED_BILLING_CARD, PAYMENT_KEYS, TIMESTAMP_KEYS
from tests.e2e.processes import Credentials, HomeportServer

#: A card the sandbox approves. PY's pay_onetime and NODEL's subscribe.onetime refuse, before
#: any request, a card without birth and pwd_2digit, so it carries both.
CHARGE_CARD = {**BILLING_CARD, "pwd_2digit": "12"}
#: How homeport masks CHARGE_CARD in the Payment object (§5.2 ``card_number``).
MASKED_CHARGE_CARD = MASKED_BILLING_CARD
#: Issues a billing key, then every charge on it is declined with 8016 (docs/sandbox.md).
LIMIT_CARD = {**CHARGE_CARD, "card_number": "4000-0000-0000-0002"}
#: KCP's answer to every charge of LIMIT_CARD, the start of the payment's fail_reason.
LIMIT_DECLINE = "[8016]"

#: Payments homeport creates: ``imp_`` + 12 digits (§5.2).
IMP_UID = re.compile(r"^imp_\d{12}$")
#: A declined onetime/foreign: HTTP 200 code -1, this text, then the PG's reason in brackets (§8).
ONETIME_FAILED_MESSAGE = "카드정보 인증에 실패하였습니다. ("
#: again with a customer_uid that has no billing key: HTTP 200 code 1 (§4.4, §8).
UNREGISTERED_CUSTOMER_MESSAGE = "등록되지 않은 구매자입니다."
#: A cancel of a payment the merchant does not have: HTTP 200 code 1 (§4.1, §8).
CANCEL_TARGET_MISSING_MESSAGE = "취소할 결제건이 존재하지 않습니다."


#: A refusal as a client handed it to merchant code: the envelope's code and message.
Refusal = tuple[int, str]


def assert_code_1_refusals(
    *,
    unknown_customer: Refusal,
    duplicate: Refusal,
    unknown_payment: Refusal,
    over_cancel: Refusal,
    merchant_uid: str,
    asked: int,
    remaining: int,
) -> None:
    """The refusals homeport decides without the PG, each HTTP 200 code 1 (§4.1, §4.4, §8;
    decision 0003): again with an unknown customer_uid, again with a ``merchant_uid`` already
    paid, a cancel of an unknown imp_uid, a cancel of ``asked`` won with ``remaining`` left."""
    assert unknown_customer == (1, UNREGISTERED_CUSTOMER_MESSAGE)
    assert duplicate[0] == 1
    assert merchant_uid in duplicate[1]
    assert unknown_payment == (1, CANCEL_TARGET_MISSING_MESSAGE)
    assert over_cancel[0] == 1
    assert f"{asked}원" in over_cancel[1]
    assert f"{remaining}원" in over_cancel[1]


def wire_time(wire: dict[str, Any], key: str, *, dates: bool) -> int:
    """The UNIX time a client handed back under ``key``: an integer from raw clients, a Date
    from NODE (``dates``) when it is not 0."""
    value = wire[key]
    if dates and isinstance(value, dict):
        # NODE turns a non-zero timestamp into a Date ({"$date": seconds}, see node.py).
        seconds = value["$date"]
        assert isinstance(seconds, int | float)
        return int(seconds)
    assert type(value) is int, f"{key} must be an integer, got {value!r}"
    return value


def assert_api_payment(
    wire: dict[str, Any],
    *,
    merchant_uid: str,
    amount: int,
    status: str = "paid",
    cancelled: Sequence[int] = (),
    customer_uid: str | None = None,
    usage: str | None = None,
    dates: bool = False,
) -> None:
    """``wire`` is a server-side card payment (channel ``api``) as a client handed it back.

    ``cancelled`` lists the amounts of its cancels, oldest first. Raw clients (all but NODE,
    ``dates=False``) must see every §5.2 key; NODE keeps only the keys its Payment class knows
    and turns non-zero timestamps into Dates.
    """
    if not dates:
        assert wire.keys() >= PAYMENT_KEYS, f"missing keys: {sorted(PAYMENT_KEYS - wire.keys())}"
    assert IMP_UID.match(wire["imp_uid"]), wire["imp_uid"]
    history = wire["cancel_history"] or []
    actual = {
        "merchant_uid": wire["merchant_uid"],
        "amount": wire["amount"],
        "status": wire["status"],
        "cancel_amount": wire["cancel_amount"],
        "cancel_history": [entry["amount"] for entry in history],
        "customer_uid": wire["customer_uid"],
        "customer_uid_usage": wire["customer_uid_usage"],
        "channel": wire["channel"],
        "pay_method": wire["pay_method"],
        "pg_provider": wire["pg_provider"],
        "currency": wire["currency"],
    }
    assert actual == {
        "merchant_uid": merchant_uid,
        "amount": amount,
        "status": status,
        "cancel_amount": sum(cancelled),
        "cancel_history": list(cancelled),
        "customer_uid": customer_uid,
        "customer_uid_usage": usage,
        "channel": "api",
        "pay_method": "card",
        "pg_provider": "kcp",
        "currency": "KRW",
    }
    times = {key: wire_time(wire, key, dates=dates) for key in TIMESTAMP_KEYS}
    if status == "failed":
        assert (times["paid_at"], times["failed_at"] > 0) == (0, True)
        assert wire["fail_reason"]
    else:
        assert (times["paid_at"] > 0, times["failed_at"]) == (True, 0)
        assert wire["pg_tid"]
        assert wire["card_number"] == MASKED_CHARGE_CARD
        assert wire["fail_reason"] is None
    # A partial cancel keeps ``paid`` but dates the latest cancel (decision 0003).
    assert (times["cancelled_at"] > 0) == bool(cancelled)


def rest_call(
    server: HomeportServer, merchant: Credentials, method: str, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One request over plain HTTP as ``merchant``, answering the envelope: set-up for what a
    client has no method of its own for (a prepared amount, a virtual account for PY)."""
    with httpx.Client(base_url=server.host, timeout=10.0) as client:
        token = client.post(
            "/users/getToken", json={"imp_key": merchant.imp_key, "imp_secret": merchant.imp_secret}
        ).json()["response"]["access_token"]
        answer = client.request(method, path, json=body, headers={"Authorization": token})
    envelope: dict[str, Any] = answer.json()
    return envelope


def prepare_amount(server: HomeportServer, merchant: Credentials, merchant_uid: str, amount: int) -> None:
    """Pre-register ``amount`` for ``merchant_uid`` (§4.2) over plain HTTP: set-up for the clients
    (IMPY, SDK) that have no prepare method of their own."""
    envelope = rest_call(
        server, merchant, "POST", "/payments/prepare", {"merchant_uid": merchant_uid, "amount": amount}
    )
    assert envelope["code"] == 0, envelope
