"""Data the benchmarks read and charge, created through homeport's own REST API.

The demo merchant (key and secret pinned by the harness) gets an access token, one billing key
on its sandbox billing channel (site A52Q7, group A52Q71000489) and paid payments charged with
that key through ``POST /subscribe/payments/again``; ``GET /payments/{imp_uid}`` then reads
those payments, as a merchant's backend does after charging.
"""

from __future__ import annotations

import httpx

from bench.processes import BenchError

#: Any card number the sandbox has no scenario for approves (src/homeport/sandbox/scenarios.py);
#: the 4000-0000-0000-00xx numbers decline or fail and must not be used here.
APPROVING_CARD = {
    "card_number": "4242-4242-4242-4242",
    "expiry": "2030-12",
    "birth": "800101",
    "pwd_2digit": "00",
}
CUSTOMER_UID = "bench-customer"
AGAIN_PATH = "/subscribe/payments/again"


def _response(answer: httpx.Response, what: str) -> dict[str, object]:
    """The envelope's ``response`` of a successful answer, or a BenchError saying what failed."""
    if answer.status_code == 404 and answer.request.url.path.rstrip("/") == AGAIN_PATH:
        # A homeport older than issue 5 has no again: say so rather than measure 404s.
        raise BenchError(
            f"POST {AGAIN_PATH} answered 404: this homeport has no again endpoint, so it can neither "
            f"be measured nor seed the payments GET /payments/{{imp_uid}} reads. Body: {answer.text[:300]}"
        )
    try:
        body = answer.json()
    except ValueError:
        body = None
    if answer.status_code != 200 or not isinstance(body, dict) or body.get("code") != 0:
        raise BenchError(f"{what} failed: HTTP {answer.status_code} {answer.text[:500]}")
    response = body.get("response")
    if not isinstance(response, dict):
        raise BenchError(f"{what} answered no response object: {answer.text[:500]}")
    return response


def access_token(client: httpx.Client, imp_key: str, imp_secret: str) -> str:
    """``POST /users/getToken``; the access token (valid 30 minutes, longer than any run)."""
    answer = client.post("/users/getToken", json={"imp_key": imp_key, "imp_secret": imp_secret})
    return str(_response(answer, "getToken")["access_token"])


def billing_key(client: httpx.Client, token: str, customer_uid: str = CUSTOMER_UID) -> str:
    """``POST /subscribe/customers/{customer_uid}`` with an approving card; the customer_uid."""
    answer = client.post(
        f"/subscribe/customers/{customer_uid}", json=APPROVING_CARD, headers={"Authorization": token}
    )
    _response(answer, f"billing key issuance for {customer_uid}")
    return customer_uid


def charge_again(client: httpx.Client, token: str, customer_uid: str, merchant_uid: str) -> str:
    """One ``POST /subscribe/payments/again`` that must be paid; its imp_uid."""
    answer = client.post(
        AGAIN_PATH,
        json={
            "customer_uid": customer_uid,
            "merchant_uid": merchant_uid,
            "amount": 1000,
            "name": "homeport bench",
        },
        headers={"Authorization": token},
    )
    payment = _response(answer, f"again for {merchant_uid}")
    if payment.get("status") != "paid":
        raise BenchError(f"again for {merchant_uid} was not paid: {answer.text[:500]}")
    return str(payment["imp_uid"])


def paid_payments(client: httpx.Client, token: str, customer_uid: str, count: int) -> list[str]:
    """``count`` paid payments charged through again; their imp_uids."""
    return [charge_again(client, token, customer_uid, f"bench-seed-{n}") for n in range(count)]
