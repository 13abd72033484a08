"""Data the benchmarks read and charge, created through homeport's own REST API.

The demo merchant (key and secret pinned by the harness) gets an access token, one billing key
on its sandbox billing channel (site A52Q7, group A52Q71000489) and paid payments charged with
that key through ``POST /subscribe/payments/again``; ``GET /payments/{imp_uid}`` then reads
those payments, as a merchant's backend does after charging.
"""

from __future__ import annotations

from pathlib import Path

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


class AgainMissing(BenchError):
    """The homeport under measurement has no ``POST /subscribe/payments/again`` (it answers 404)."""


def _response(answer: httpx.Response, what: str) -> dict[str, object]:
    """The envelope's ``response`` of a successful answer, or a BenchError saying what failed."""
    if answer.status_code == 404 and answer.request.url.path.rstrip("/") == AGAIN_PATH:
        raise AgainMissing(
            f"POST {AGAIN_PATH} answered 404: this homeport has no again endpoint yet, so "
            "the again benchmark cannot run. "
            f"Body: {answer.text[:300]}"
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


async def recorded_payments(data_dir: Path, database_url: str, imp_key: str, count: int) -> list[str]:
    """``count`` paid card payments of the merchant owning ``imp_key``, recorded through
    homeport's PaymentService on the server's database (as tests/e2e seed theirs); their imp_uids.

    Only for a homeport without the again endpoint: the REST API offers no other way to create
    a payment without a browser. The rows have the shape a paid KCP card payment has.
    """
    from homeport.app import build_services  # noqa: PLC0415 - only this fallback needs homeport
    from homeport.config import load_settings  # noqa: PLC0415
    from homeport.domain.payments.models import Buyer, CardDetails, Payment, PaymentChannel, PaymentStatus  # noqa: PLC0415

    settings = load_settings({"HOMEPORT_DATA_DIR": str(data_dir), "HOMEPORT_DATABASE_URL": database_url})
    services = build_services(settings)
    try:
        (merchant,) = [
            m for m in await services.merchants.list() if any(c.imp_key == imp_key for c in m.credentials)
        ]
        now = services.clock.now()
        imp_uids = []
        for n in range(count):
            payment = await services.payments.record(
                Payment(
                    imp_uid="",
                    merchant_id=merchant.merchant.id,
                    merchant_uid=f"bench-seed-{n}",
                    amount=1000,
                    status=PaymentStatus.PAID,
                    started_at=now - 60,
                    updated_at=now,
                    paid_at=now,
                    name="homeport bench",
                    pay_method="card",
                    channel=PaymentChannel.API,
                    pg_provider="kcp",
                    pg_tid=f"26010112{n:06d}",
                    pg_id="A52Q7",
                    sandbox=True,
                    approval_number=f"{30000000 + n}",
                    card=CardDetails(
                        company_code="361",
                        company_name="BC카드",
                        masked_number="424242******4242",
                        card_type=0,
                    ),
                    buyer=Buyer(name="홍길동", email="gildong@example.com", tel="010-4242-4242"),
                    customer_uid=CUSTOMER_UID,
                )
            )
            imp_uids.append(payment.imp_uid)
        return imp_uids
    finally:
        await services.close()
