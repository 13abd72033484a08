"""Real third-party i'mport clients against a live ``homeport serve`` (iamport-v1 §1-3, §9).

Each client is pointed at a homeport process on loopback the way its README (or, where it
has no option, its source) allows, and every payment-read method it offers that homeport
implements is called. The assertions are on what the *client* hands back to merchant code:
its return values and its own exception types, read from each client's source.

Clients: PyPI ``iamport-rest-client`` (PY), ``iamporter`` (IMPY), ``async-iamport`` (APY);
npm ``iamport-rest-client-nodejs`` (NODE) and legacy ``iamport`` (NODEL), the npm ones run as
node scripts in ``tests/clients/node`` (installed by ``scripts/install-node-clients``).

The server and its data are module-scoped: one process, seeded once through the domain
service on the same database, and only read by the tests.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from async_iamport import AsyncIamport
from async_iamport import HttpError as AsyncHttpError
from iamport import Iamport
from iamporter import Iamporter
from iamporter.api import Payments as IamporterPayments
from iamporter.errors import ImpApiError, ImpUnAuthorized

from homeport.app import build_services, prepare
from homeport.clock import SystemClock
from homeport.domain.payments.models import Payment, PaymentStatus, VirtualAccount
from tests.e2e.processes import HomeportServer, pinned_demo_env, running_server
from tests.support import DEMO_KEY, DEMO_SECRET, cancelled, make_payment, vbank_payment

pytestmark = pytest.mark.clients

NODE_DIR = Path(__file__).resolve().parents[1] / "clients" / "node"
NODE_TIMEOUT_SECONDS = 30
WRONG_SECRET = "not-the-secret-" + "x" * 40
UNKNOWN_IMP_UID = "imp_999999999999"
NOT_FOUND_MESSAGE = "존재하지 않는 결제정보입니다."

#: Every key of the Payment object that clients read (iamport-v1 §5.2: all keys always present).
PAYMENT_KEYS = frozenset[str]().union(
    ("imp_uid", "merchant_uid", "name", "amount", "cancel_amount", "currency", "status", "sandbox"),
    ("pay_method", "channel", "pg_provider", "emb_pg_provider", "pg_tid", "pg_id", "escrow", "apply_num"),
    ("bank_code", "bank_name", "card_code", "card_name", "card_quota", "card_number", "card_type"),
    ("card_issuer_code", "card_issuer_name", "card_publisher_code", "card_publisher_name"),
    ("vbank_code", "vbank_name", "vbank_num", "vbank_holder", "vbank_date", "vbank_issued_at"),
    ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode", "custom_data", "user_agent"),
    ("started_at", "paid_at", "failed_at", "cancelled_at", "fail_reason", "cancel_reason", "receipt_url"),
    ("cancel_history", "cancel_receipt_urls", "cash_receipt_issued", "customer_uid", "customer_uid_usage"),
)
TIMESTAMP_KEYS = ("started_at", "paid_at", "failed_at", "cancelled_at", "vbank_date", "vbank_issued_at")


# --------------------------------------------------------------------------------------------
# The live server and its seeded payments


@dataclass(frozen=True)
class Shop:
    """The live server and the demo merchant's payments seeded into it."""

    server: HomeportServer
    now: int
    paid: Payment
    partial: Payment
    vbank: Payment
    refunded: Payment
    retry_failed: Payment
    retry_paid: Payment

    @property
    def by_status(self) -> dict[str, list[Payment]]:
        """Seeded payments per status, newest started first (the default ``-started``)."""
        everything = sorted(
            (self.paid, self.partial, self.vbank, self.refunded, self.retry_failed, self.retry_paid),
            key=lambda p: p.started_at,
            reverse=True,
        )
        groups: dict[str, list[Payment]] = {"all": everything}
        for status in PaymentStatus:
            groups[status.value] = [p for p in everything if p.status is status]
        return groups


async def _seed(server: HomeportServer) -> Shop:
    services = build_services(server.settings())
    try:
        await prepare(services, create_demo=False)
        (demo,) = [
            s for s in await services.merchants.list() if any(c.imp_key == DEMO_KEY for c in s.credentials)
        ]
        merchant_id = demo.merchant.id
        now = SystemClock().now()  # status listings default to the last 90 days of server time
        paid = make_payment(
            merchant_id,
            merchant_uid="hp-card-paid",
            amount=39000,
            started_at=now - 3600,
            paid_at=now - 3540,
            updated_at=now - 3540,
        )
        partial = cancelled(
            make_payment(
                merchant_id,
                merchant_uid="hp-card-partial",
                amount=50000,
                started_at=now - 3060,
                paid_at=now - 3000,
                updated_at=now - 1800,
            ),
            amount=12000,
            at=now - 1800,
            reason="부분 환불",
        )
        # vbank_payment fixes the account's dates in 2026-01; this one is due tomorrow.
        vbank = replace(
            vbank_payment(
                merchant_id,
                merchant_uid="hp-vbank-ready",
                amount=25000,
                started_at=now - 2400,
                updated_at=now - 2390,
            ),
            virtual_account=VirtualAccount(
                bank_code="004",
                bank_name="국민은행",
                number="T0309260000123",
                holder="홈포트",
                due_at=now + 86400,
                issued_at=now - 2390,
            ),
        )
        refunded = cancelled(
            make_payment(
                merchant_id,
                merchant_uid="hp-card-refunded",
                amount=15000,
                started_at=now - 2100,
                paid_at=now - 2000,
                updated_at=now - 1000,
            ),
            amount=15000,
            at=now - 1000,
            reason="주문 취소",
        )
        # One order paid on the second try: two payments share the merchant_uid.
        retry_failed = make_payment(
            merchant_id,
            merchant_uid="hp-retry",
            amount=70000,
            status=PaymentStatus.FAILED,
            started_at=now - 1500,
            paid_at=0,
            failed_at=now - 1490,
            updated_at=now - 1490,
            fail_reason="[3001] 한도초과",
            approval_number=None,
            receipt_url=None,
        )
        retry_paid = make_payment(
            merchant_id,
            merchant_uid="hp-retry",
            amount=70000,
            started_at=now - 1200,
            paid_at=now - 1150,
            updated_at=now - 1150,
        )
        shop = Shop(server, now, paid, partial, vbank, refunded, retry_failed, retry_paid)
        for payment in (paid, partial, vbank, refunded, retry_failed, retry_paid):
            await services.payments.record(payment)
        return shop
    finally:
        await services.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """A ``homeport serve`` process on loopback with the demo merchant's payments seeded."""
    data_dir = tmp_path_factory.mktemp("live-homeport")
    with running_server(data_dir, pinned_demo_env(data_dir)) as server:
        yield asyncio.run(_seed(server))


# --------------------------------------------------------------------------------------------
# What a client must see for a seeded payment (the contract's field names, §5.2)


def expected_fields(payment: Payment) -> dict[str, Any]:
    """The i'mport fields of a seeded payment that every client exposes."""
    card = payment.card
    vbank = payment.virtual_account
    return {
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "amount": payment.amount,
        "cancel_amount": sum(c.amount for c in payment.cancellations),
        "currency": "KRW",
        "status": payment.status.value,
        "pay_method": payment.pay_method,
        "name": payment.name,
        "pg_provider": "kcp",
        "pg_tid": payment.pg_tid,
        "apply_num": payment.approval_number,
        "card_code": card.company_code if card else None,
        "card_name": card.company_name if card else None,
        "card_number": card.masked_number if card else None,
        "card_quota": card.installment_months if card else 0,
        "vbank_code": vbank.bank_code if vbank else None,
        "vbank_name": vbank.bank_name if vbank else None,
        "vbank_num": vbank.number if vbank else None,
        "vbank_holder": vbank.holder if vbank else None,
        "vbank_date": vbank.due_at if vbank else 0,
        "vbank_issued_at": vbank.issued_at if vbank else 0,
        "buyer_name": payment.buyer.name,
        "buyer_email": payment.buyer.email,
        "buyer_tel": payment.buyer.tel,
        "custom_data": payment.custom_data,
        "started_at": payment.started_at,
        "paid_at": payment.paid_at,
        "failed_at": payment.failed_at,
        "cancelled_at": payment.cancelled_at,
        "fail_reason": payment.fail_reason,
        "cancel_reason": payment.cancel_reason,
        "receipt_url": payment.receipt_url,
        "cancel_history": [
            {
                "amount": c.amount,
                "cancelled_at": c.cancelled_at,
                "pg_tid": c.pg_tid,
                "reason": c.reason,
                "receipt_url": c.receipt_url,
            }
            for c in payment.cancellations
        ],
    }


def _history_subset(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("amount", "cancelled_at", "pg_tid", "reason", "receipt_url")
    return [{k: entry[k] for k in keys} for entry in history]


def assert_payment(wire: dict[str, Any], payment: Payment, *, dates: bool = False) -> None:
    """``wire`` is ``payment`` as a client returned it.

    Raw clients (all but NODE) must see every §5.2 key and integer timestamps. NODE turns
    non-zero timestamps into ``Date`` objects (reported as ``{"$date": seconds}``), which
    it can only do from a number.
    """
    expected = expected_fields(payment)
    if dates:
        for key in TIMESTAMP_KEYS:
            if expected[key]:
                expected[key] = {"$date": expected[key]}
    else:
        assert wire.keys() >= PAYMENT_KEYS, f"missing keys: {sorted(PAYMENT_KEYS - wire.keys())}"
        for key in TIMESTAMP_KEYS:
            assert type(wire[key]) is int, f"{key} must be an integer, got {wire[key]!r}"
    actual = {key: wire.get(key) for key in expected}
    actual["cancel_history"] = _history_subset(wire.get("cancel_history") or [])
    assert actual == expected


def imp_uids(payments: list[dict[str, Any]]) -> list[str]:
    """The imp_uids of a listing, in order."""
    return [p["imp_uid"] for p in payments]


# --------------------------------------------------------------------------------------------
# PyPI iamport-rest-client (PY): getToken before every call, HttpError for any status != 200,
# ResponseError for code != 0, otherwise the envelope's ``response``.


@pytest.fixture
def py_client(shop: Shop) -> Iamport:
    """iamport-rest-client pointed at the live server (imp_url must end with '/')."""
    return Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)


def test_iamport_rest_client_gets_the_same_token_on_every_call(py_client: Iamport) -> None:
    """getToken with the JSON body PY sends returns a 40-hex token, reused while it is valid."""
    first = py_client._get_token()
    second = py_client._get_token()
    assert isinstance(first, str)
    assert len(first) == 40
    assert int(first, 16) >= 0
    assert second == first


def test_iamport_rest_client_finds_a_paid_payment_by_imp_uid(shop: Shop, py_client: Iamport) -> None:
    """find_by_imp_uid returns the paid card payment with every field and integer timestamps."""
    assert_payment(py_client.find_by_imp_uid(shop.paid.imp_uid), shop.paid)
    assert_payment(py_client.find(imp_uid=shop.paid.imp_uid), shop.paid)


def test_iamport_rest_client_finds_the_latest_payment_by_merchant_uid(shop: Shop, py_client: Iamport) -> None:
    """find_by_merchant_uid returns the most recently started payment of that merchant_uid."""
    assert_payment(py_client.find_by_merchant_uid("hp-retry"), shop.retry_paid)
    assert_payment(py_client.find(merchant_uid="hp-card-paid"), shop.paid)


def test_iamport_rest_client_sees_cancel_amount_and_history_of_a_partial_cancel(
    shop: Shop, py_client: Iamport
) -> None:
    """A partially cancelled payment stays paid with cancel_amount and one cancel_history entry."""
    payment = py_client.find_by_imp_uid(shop.partial.imp_uid)
    assert_payment(payment, shop.partial)
    assert payment["status"] == "paid"
    assert payment["cancel_amount"] == 12000
    assert [entry["amount"] for entry in payment["cancel_history"]] == [12000]


def test_iamport_rest_client_sees_the_account_of_a_virtual_account_payment(
    shop: Shop, py_client: Iamport
) -> None:
    """A vbank payment awaiting deposit is ready with vbank code, name, number, holder and dates."""
    payment = py_client.find_by_imp_uid(shop.vbank.imp_uid)
    assert_payment(payment, shop.vbank)
    assert payment["status"] == "ready"
    assert payment["vbank_num"] == "T0309260000123"
    assert payment["vbank_date"] == shop.now + 86400


def test_iamport_rest_client_is_paid_checks_status_and_amount(shop: Shop, py_client: Iamport) -> None:
    """is_paid is true only for a paid payment whose amount matches."""
    assert py_client.is_paid(39000, imp_uid=shop.paid.imp_uid) is True
    assert py_client.is_paid(39001, imp_uid=shop.paid.imp_uid) is False
    assert py_client.is_paid(70000, merchant_uid="hp-retry") is True
    assert py_client.is_paid(25000, imp_uid=shop.vbank.imp_uid) is False


def test_iamport_rest_client_lists_payments_by_status_through_its_get_helper(
    shop: Shop, py_client: Iamport
) -> None:
    """GET /payments/status/{status} with page and limit answers a {total, previous, next, list} page."""
    # Known bug in iamport-rest-client 0.9.0: find_by_status calls self._get(url, params=params)
    # but _get's parameter is named ``payload``, so it raises TypeError before any request.
    # Merchants work around it with the helper find_by_status meant to call.
    with pytest.raises(TypeError):
        py_client.find_by_status("paid")
    url = f"{shop.server.base_url}payments/status/paid"
    first = py_client._get(url, {"limit": 2, "page": 1})
    second = py_client._get(url, {"limit": 2, "page": 2})
    expected = imp_uids([expected_fields(p) for p in shop.by_status["paid"]])
    assert (first["total"], first["previous"], first["next"]) == (3, 0, 2)
    assert (second["total"], second["previous"], second["next"]) == (3, 1, 0)
    assert imp_uids(first["list"]) + imp_uids(second["list"]) == expected
    assert_payment(second["list"][0], shop.by_status["paid"][2])


def test_iamport_rest_client_raises_http_error_401_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong imp_secret makes getToken answer 401, which PY raises as HttpError(401)."""
    client = Iamport(DEMO_KEY, WRONG_SECRET, imp_url=shop.server.base_url)
    with pytest.raises(Iamport.HttpError) as caught:
        client.find_by_imp_uid(shop.paid.imp_uid)
    assert (caught.value.code, caught.value.reason) == (401, "Unauthorized")


def test_iamport_rest_client_raises_http_error_404_for_an_unknown_payment(py_client: Iamport) -> None:
    """Unknown imp_uid and unknown merchant_uid answer 404, which PY raises as HttpError(404)."""
    with pytest.raises(Iamport.HttpError) as by_imp_uid:
        py_client.find_by_imp_uid(UNKNOWN_IMP_UID)
    with pytest.raises(Iamport.HttpError) as by_merchant_uid:
        py_client.find_by_merchant_uid("hp-no-such-order")
    assert (by_imp_uid.value.code, by_imp_uid.value.reason) == (404, "Not Found")
    assert by_merchant_uid.value.code == 404


# --------------------------------------------------------------------------------------------
# PyPI iamporter (IMPY): form-encoded everything, token fetched once at construction, only
# scheme and host of imp_url kept. 401 -> ImpUnAuthorized(message); any other failure ->
# ImpApiError(IamportResponse). Its low-level ``iamporter.api.Payments`` returns
# IamportResponse (status, code, message, data) without raising.


@pytest.fixture
def impy_client(shop: Shop) -> Iterator[Iamporter]:
    """iamporter's high-level client pointed at the live server."""
    client = Iamporter(imp_key=DEMO_KEY, imp_secret=DEMO_SECRET, imp_url=shop.server.base_url)
    yield client
    client.requests_session.close()


@pytest.fixture
def impy_payments(impy_client: Iamporter) -> IamporterPayments:
    """iamporter's low-level payments API sharing the client's token and session."""
    return IamporterPayments(**impy_client._api_kwargs)


def test_iamporter_authenticates_with_a_form_encoded_get_token(impy_client: Iamporter) -> None:
    """Iamporter's constructor posts imp_key/imp_secret as a form and keeps the 40-hex token."""
    token = impy_client.imp_auth.token
    assert isinstance(token, str)
    assert len(token) == 40


def test_iamporter_finds_a_paid_payment_by_imp_uid(shop: Shop, impy_client: Iamporter) -> None:
    """find_payment(imp_uid=) returns the paid card payment with every field."""
    assert_payment(impy_client.find_payment(imp_uid=shop.paid.imp_uid), shop.paid)


def test_iamporter_finds_the_latest_payment_by_merchant_uid(shop: Shop, impy_client: Iamporter) -> None:
    """find_payment(merchant_uid=) returns the most recently started payment of the order."""
    assert_payment(impy_client.find_payment(merchant_uid="hp-retry"), shop.retry_paid)


def test_iamporter_finds_a_payment_by_merchant_uid_and_status(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_find with a status segment returns that order's payment in that status."""
    answer = impy_payments.get_find("hp-retry", payment_status="failed")
    assert (answer.status, answer.code, answer.message) == (200, 0, None)
    assert_payment(answer.data, shop.retry_failed)


def test_iamporter_lists_every_payment_of_a_merchant_uid(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_findall pages every payment sharing a merchant_uid, in the requested sorting."""
    newest_first = impy_payments.get_findall("hp-retry")
    oldest_first = impy_payments.get_findall("hp-retry", page=1, sorting="started")
    only_paid = impy_payments.get_findall("hp-retry", payment_status="paid")
    assert newest_first.is_succeed
    assert {k: newest_first.data[k] for k in ("total", "previous", "next")} == {
        "total": 2,
        "previous": 0,
        "next": 0,
    }
    assert imp_uids(newest_first.data["list"]) == [shop.retry_paid.imp_uid, shop.retry_failed.imp_uid]
    assert imp_uids(oldest_first.data["list"]) == [shop.retry_failed.imp_uid, shop.retry_paid.imp_uid]
    assert imp_uids(only_paid.data["list"]) == [shop.retry_paid.imp_uid]
    assert_payment(newest_first.data["list"][1], shop.retry_failed)


def test_iamporter_lists_payments_by_status_within_a_time_window(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_status filters paid payments on paid_at between search_from and search_to."""
    everything = impy_payments.get_status("all", limit=100)
    refunded = impy_payments.get_status("cancelled")
    window = impy_payments.get_status(
        "paid", search_from=shop.now - 4000, search_to=shop.now - 3100, sorting="-paid"
    )
    assert everything.is_succeed
    assert everything.data["total"] == 6
    assert imp_uids(everything.data["list"]) == [p.imp_uid for p in shop.by_status["all"]]
    assert imp_uids(refunded.data["list"]) == [shop.refunded.imp_uid]
    assert_payment(refunded.data["list"][0], shop.refunded)
    assert window.data["total"] == 1
    assert imp_uids(window.data["list"]) == [shop.paid.imp_uid]


def test_iamporter_sees_partial_cancel_and_virtual_account_fields(shop: Shop, impy_client: Iamporter) -> None:
    """Partial cancel (cancel_amount, cancel_history) and vbank fields reach iamporter intact."""
    assert_payment(impy_client.find_payment(imp_uid=shop.partial.imp_uid), shop.partial)
    assert_payment(impy_client.find_payment(imp_uid=shop.vbank.imp_uid), shop.vbank)


def test_iamporter_raises_imp_unauthorized_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong secret fails getToken with 401 and a JSON message, raised as ImpUnAuthorized."""
    with pytest.raises(ImpUnAuthorized) as caught:
        Iamporter(imp_key=DEMO_KEY, imp_secret=WRONG_SECRET, imp_url=shop.server.base_url)
    assert isinstance(caught.value.message, str)
    assert caught.value.message


def test_iamporter_raises_imp_unauthorized_when_its_token_is_rejected(
    shop: Shop, impy_client: Iamporter
) -> None:
    """A call with an invalid access token answers 401 with a message, raised as ImpUnAuthorized."""
    impy_client.imp_auth.token = "0" * 40
    with pytest.raises(ImpUnAuthorized) as caught:
        impy_client.find_payment(imp_uid=shop.paid.imp_uid)
    assert isinstance(caught.value.message, str)
    assert caught.value.message


def test_iamporter_raises_imp_api_error_for_an_unknown_imp_uid(impy_client: Iamporter) -> None:
    """An unknown imp_uid answers 404 with code -1 and the contract's message, as ImpApiError."""
    with pytest.raises(ImpApiError) as caught:
        impy_client.find_payment(imp_uid=UNKNOWN_IMP_UID)
    answer = caught.value.response
    assert (answer.status, answer.code, answer.message, answer.data) == (404, -1, NOT_FOUND_MESSAGE, None)


# --------------------------------------------------------------------------------------------
# PyPI async-iamport (APY): aiohttp with base_url = origin, token cached; HttpError for any
# status != 200, ResponseError for code != 0.


def release_unread_response(error: BaseException) -> None:
    """Release the response async-iamport dropped when it raised ``error``.

    Its ``get_response`` raises HttpError for a non-200 status without reading or releasing
    the aiohttp response (a leak in the library), and the held connection later warns
    "Unclosed connection" at garbage collection, which this suite treats as an error.
    """
    trace = error.__traceback__
    while trace is not None:
        response = trace.tb_frame.f_locals.get("response")
        if isinstance(response, aiohttp.ClientResponse):
            response.release()
        trace = trace.tb_next


@pytest.fixture
async def apy_client(shop: Shop) -> AsyncIterator[AsyncIamport]:
    """async-iamport pointed at the live server; its aiohttp session is closed afterwards."""
    client = AsyncIamport(imp_key=DEMO_KEY, imp_secret=DEMO_SECRET, imp_url=shop.server.host)
    yield client
    await client.close_session()


async def test_async_iamport_finds_payments_by_imp_uid_and_merchant_uid(
    shop: Shop, apy_client: AsyncIamport
) -> None:
    """find_by_imp_uid and find_by_merchant_uid (with and without status) return the right payment."""
    assert_payment(await apy_client.find_by_imp_uid(shop.partial.imp_uid), shop.partial)
    assert_payment(await apy_client.find_by_imp_uid(shop.vbank.imp_uid), shop.vbank)
    assert_payment(await apy_client.find_by_merchant_uid("hp-retry"), shop.retry_paid)
    assert_payment(await apy_client.find_by_merchant_uid("hp-retry", "failed"), shop.retry_failed)
    assert await apy_client.is_paid(39000, imp_uid=shop.paid.imp_uid) is True


async def test_async_iamport_lists_payments_by_status(shop: Shop, apy_client: AsyncIamport) -> None:
    """find_by_status passes page and limit as query parameters and gets a paged listing."""
    page = await apy_client.find_by_status("paid", page=2, limit=1)
    ready = await apy_client.find_by_status("ready")
    assert (page["total"], page["previous"], page["next"]) == (3, 1, 3)
    assert imp_uids(page["list"]) == [shop.by_status["paid"][1].imp_uid]
    assert imp_uids(ready["list"]) == [shop.vbank.imp_uid]


async def test_async_iamport_raises_http_error_401_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong secret makes getToken answer 401, raised as async_iamport.HttpError(401)."""
    client = AsyncIamport(imp_key=DEMO_KEY, imp_secret=WRONG_SECRET, imp_url=shop.server.host)
    try:
        with pytest.raises(AsyncHttpError) as caught:
            await client.find_by_imp_uid(shop.paid.imp_uid)
    finally:
        await client.close_session()
    release_unread_response(caught.value)
    assert caught.value.code == 401


async def test_async_iamport_raises_http_error_404_for_an_unknown_imp_uid(apy_client: AsyncIamport) -> None:
    """An unknown imp_uid answers 404, raised as async_iamport.HttpError(404)."""
    with pytest.raises(AsyncHttpError) as caught:
        await apy_client.find_by_imp_uid(UNKNOWN_IMP_UID)
    release_unread_response(caught.value)
    assert (caught.value.code, caught.value.reason) == (404, "Not Found")


# --------------------------------------------------------------------------------------------
# npm clients, run as node scripts that print one JSON line: {"ok": true, "result": ...} or
# {"ok": false, "error": {...}}.


def run_node(shop: Shop, script: str, operation: str, *, secret: str = DEMO_SECRET, **args: Any) -> Any:
    """Run ``tests/clients/node/<script>`` and return its JSON report."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; install Node.js 20 and run scripts/install-node-clients")
    if not (NODE_DIR / "node_modules").is_dir():
        pytest.fail(
            f"npm clients are not installed in {NODE_DIR}/node_modules; run scripts/install-node-clients"
        )
    env = {
        "HOMEPORT_BASE_URL": shop.server.host,
        "IMP_KEY": DEMO_KEY,
        "IMP_SECRET": secret,
        "CLIENT_ARGS": json.dumps(args),
        "NODE_NO_WARNINGS": "1",
    }
    done = subprocess.run(
        [node, str(NODE_DIR / script), operation],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail(f"node {script} {operation} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def node_ok(report: dict[str, Any]) -> Any:
    """The result of a node operation that must have succeeded."""
    assert report["ok"], report
    return report["result"]


def node_error(report: dict[str, Any]) -> dict[str, Any]:
    """The error of a node operation that must have failed."""
    assert not report["ok"], report
    error: dict[str, Any] = report["error"]
    return error


# npm iamport-rest-client-nodejs (NODE): axios with baseURL; resolves with an axios response
# whose data is {code, message, response} (+ ``failed`` on 207); rejects non-2xx with the axios
# error (error.response.status / .data = envelope).

NODE_CLIENT = "rest-client-nodejs.mjs"


def test_node_rest_client_gets_a_token_with_date_timestamps(shop: Shop) -> None:
    """Authenticate.getToken returns code 0 and a 40-hex token whose now/expired_at parse as dates."""
    result = node_ok(run_node(shop, NODE_CLIENT, "getToken"))
    assert result["status"] == 200
    data = result["data"]
    assert (data["code"], data["message"]) == (0, None)
    token = data["response"]
    assert len(token["access_token"]) == 40
    lifetime = token["expired_at"]["$date"] - token["now"]["$date"]
    assert 0 < lifetime <= 1800


def test_node_rest_client_finds_a_paid_payment_by_imp_uid(shop: Shop) -> None:
    """Payments.getByImpUid resolves with the paid card payment, timestamps as Dates."""
    result = node_ok(run_node(shop, NODE_CLIENT, "getByImpUid", imp_uid=shop.paid.imp_uid))
    assert result["status"] == 200
    assert (result["data"]["code"], result["data"]["message"]) == (0, None)
    assert_payment(result["data"]["response"], shop.paid, dates=True)


def test_node_rest_client_sees_partial_cancel_and_virtual_account_fields(shop: Shop) -> None:
    """Partial cancel (cancel_amount, cancel_history) and vbank fields reach the TypeScript client."""
    partial = node_ok(run_node(shop, NODE_CLIENT, "getByImpUid", imp_uid=shop.partial.imp_uid))
    vbank = node_ok(run_node(shop, NODE_CLIENT, "getByImpUid", imp_uid=shop.vbank.imp_uid))
    assert_payment(partial["data"]["response"], shop.partial, dates=True)
    assert_payment(vbank["data"]["response"], shop.vbank, dates=True)


def test_node_rest_client_finds_by_merchant_uid_with_and_without_status(shop: Shop) -> None:
    """getByMerchantUid without a status sends the literal 'undefined' segment, read as no status."""
    latest = node_ok(run_node(shop, NODE_CLIENT, "getByMerchantUid", merchant_uid="hp-retry"))
    failed = node_ok(
        run_node(shop, NODE_CLIENT, "getByMerchantUid", merchant_uid="hp-retry", status="failed")
    )
    assert_payment(latest["data"]["response"], shop.retry_paid, dates=True)
    assert_payment(failed["data"]["response"], shop.retry_failed, dates=True)


def test_node_rest_client_lists_every_payment_of_a_merchant_uid(shop: Shop) -> None:
    """getByMerchantUids (findAll) resolves with a collection of both attempts of the order."""
    result = node_ok(run_node(shop, NODE_CLIENT, "getByMerchantUids", merchant_uid="hp-retry", page=1))
    collection = result["data"]["response"]
    assert {k: collection[k] for k in ("total", "previous", "next")} == {"total": 2, "previous": 0, "next": 0}
    assert imp_uids(collection["list"]) == [shop.retry_paid.imp_uid, shop.retry_failed.imp_uid]
    assert_payment(collection["list"][1], shop.retry_failed, dates=True)


def test_node_rest_client_iterates_status_pages_until_next_is_zero(shop: Shop) -> None:
    """getByStatus with the client's IamportIterator walks every page and stops at next == 0."""
    result = node_ok(run_node(shop, NODE_CLIENT, "iterateByStatus", status="paid", page=1, limit=2))
    pages = [page["response"] for page in result["pages"]]
    assert [(p["total"], p["previous"], p["next"]) for p in pages] == [(3, 0, 2), (3, 1, 0)]
    listed = [uid for page in pages for uid in imp_uids(page["list"])]
    assert listed == [p.imp_uid for p in shop.by_status["paid"]]


def test_node_rest_client_gets_several_payments_by_imp_uid(shop: Shop) -> None:
    """getByImpUids answers 200 when every imp_uid exists, in request order, with no failures."""
    wanted = [shop.vbank.imp_uid, shop.paid.imp_uid]
    result = node_ok(run_node(shop, NODE_CLIENT, "getByImpUids", imp_uid=wanted))
    assert result["status"] == 200
    assert imp_uids(result["data"]["response"]) == wanted
    assert "failed" not in result["data"]
    assert_payment(result["data"]["response"][0], shop.vbank, dates=True)


def test_node_rest_client_reports_missing_imp_uids_of_a_207_multi_get(shop: Shop) -> None:
    """A multi-get with an unknown imp_uid answers 207 with the found subset; the client lists the rest."""
    wanted = [shop.paid.imp_uid, UNKNOWN_IMP_UID]
    result = node_ok(run_node(shop, NODE_CLIENT, "getByImpUids", imp_uid=wanted))
    assert result["status"] == 207
    assert imp_uids(result["data"]["response"]) == [shop.paid.imp_uid]
    assert result["data"]["failed"] == [UNKNOWN_IMP_UID]


def test_node_rest_client_rejects_a_wrong_secret_with_the_401_envelope(shop: Shop) -> None:
    """A wrong secret rejects with an axios error carrying status 401 and an error envelope."""
    error = node_error(run_node(shop, NODE_CLIENT, "getByImpUid", secret=WRONG_SECRET, imp_uid="imp_1"))
    assert error["isAxiosError"] is True
    assert error["status"] == 401
    assert error["data"]["code"] != 0
    assert error["data"]["response"] is None
    assert isinstance(error["data"]["message"], str)
    assert error["data"]["message"]


def test_node_rest_client_rejects_an_unknown_imp_uid_with_the_404_envelope(shop: Shop) -> None:
    """An unknown imp_uid rejects with an axios error: status 404, code -1, the contract's message."""
    error = node_error(run_node(shop, NODE_CLIENT, "getByImpUid", imp_uid=UNKNOWN_IMP_UID))
    assert error["isAxiosError"] is True
    assert error["status"] == 404
    assert error["data"] == {"code": -1, "message": NOT_FOUND_MESSAGE, "response": None}


# npm iamport, legacy (NODEL): host set through the static Iamport.DEFAULT_HOST; resolves with
# the envelope's ``response``; statuses 400/401/404 reject with Error('<status>') and
# err.code 'HTTP_<status>' (body ignored; a 401 is retried once with a fresh token).

LEGACY_CLIENT = "iamport-legacy.mjs"


def test_legacy_node_iamport_finds_a_payment_by_imp_uid(shop: Shop) -> None:
    """payment.getByImpUid resolves with the raw payment: every field, integer timestamps."""
    assert_payment(
        node_ok(run_node(shop, LEGACY_CLIENT, "getByImpUid", imp_uid=shop.partial.imp_uid)), shop.partial
    )
    assert_payment(
        node_ok(run_node(shop, LEGACY_CLIENT, "getByImpUid", imp_uid=shop.vbank.imp_uid)), shop.vbank
    )


def test_legacy_node_iamport_finds_the_latest_payment_by_merchant_uid(shop: Shop) -> None:
    """payment.getByMerchant resolves with the most recently started payment of the order."""
    result = node_ok(run_node(shop, LEGACY_CLIENT, "getByMerchant", merchant_uid="hp-retry"))
    assert_payment(result, shop.retry_paid)


def test_legacy_node_iamport_lists_payments_by_status(shop: Shop) -> None:
    """payment.getByStatus sends page/limit as a query string and resolves with the paged listing."""
    result = node_ok(run_node(shop, LEGACY_CLIENT, "getByStatus", payment_status="all", page=1, limit=4))
    assert (result["total"], result["previous"], result["next"]) == (6, 0, 2)
    assert imp_uids(result["list"]) == [p.imp_uid for p in shop.by_status["all"][:4]]


def test_legacy_node_iamport_rejects_a_wrong_secret_with_http_401(shop: Shop) -> None:
    """A wrong secret rejects with Error('401') and code HTTP_401."""
    error = node_error(
        run_node(shop, LEGACY_CLIENT, "getByImpUid", secret=WRONG_SECRET, imp_uid=shop.paid.imp_uid)
    )
    assert (error["message"], error["code"]) == ("401", "HTTP_401")


def test_legacy_node_iamport_rejects_an_unknown_imp_uid_with_http_404(shop: Shop) -> None:
    """An unknown imp_uid rejects with Error('404') and code HTTP_404."""
    error = node_error(run_node(shop, LEGACY_CLIENT, "getByImpUid", imp_uid=UNKNOWN_IMP_UID))
    assert (error["message"], error["code"]) == ("404", "HTTP_404")


# --------------------------------------------------------------------------------------------
# Amount pre-registration (/payments/prepare) and code tables (/banks, /cards), issue 5.


def test_iamport_rest_client_prepares_an_amount_and_validates_it(shop: Shop) -> None:
    """prepare() registers {merchant_uid, amount}; prepare_validate() compares the stored amount."""
    client = Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)

    registered = client.prepare("py-prepare-1", 39_000)

    assert (registered["merchant_uid"], registered["amount"]) == ("py-prepare-1", 39_000)
    assert client.prepare_validate("py-prepare-1", 39_000) is True
    assert client.prepare_validate("py-prepare-1", 1_000) is False


def test_iamport_rest_client_sees_404_for_an_unregistered_merchant_uid(shop: Shop) -> None:
    """prepare_validate on nothing registered raises HttpError 404 (status ≠ 200)."""
    client = Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)

    with pytest.raises(Iamport.HttpError) as raised:
        client.prepare_validate("py-never-prepared", 1_000)

    assert raised.value.code == 404


async def test_async_iamport_prepares_adjusts_and_validates(shop: Shop, apy_client: AsyncIamport) -> None:
    """prepare, adjust_prepare_amount (PUT) and prepare_validate agree on the changed amount."""
    await apy_client.prepare("apy-prepare-1", 10_000)
    await apy_client.adjust_prepare_amount("apy-prepare-1", 12_500)

    assert await apy_client.prepare_validate("apy-prepare-1", 12_500) is True
    assert await apy_client.prepare_validate("apy-prepare-1", 10_000) is False


def test_node_rest_client_posts_and_reads_a_prepared_amount(shop: Shop) -> None:
    """Prepare.postAmount then getAmount: code 0 and the same merchant_uid and amount."""
    posted = node_ok(run_node(shop, NODE_CLIENT, "preparePost", merchant_uid="node-prepare-1", amount=5_500))
    read = node_ok(run_node(shop, NODE_CLIENT, "prepareGet", merchant_uid="node-prepare-1"))

    assert posted["data"]["response"]["amount"] == 5_500
    assert read["data"]["response"]["merchant_uid"] == "node-prepare-1"
    assert read["data"]["response"]["amount"] == 5_500


def test_node_rest_client_reads_the_bank_and_card_code_tables(shop: Shop) -> None:
    """Banks.getBanks / Cards.getCards are lists of {code, name}; one code reads alone."""
    banks = node_ok(run_node(shop, NODE_CLIENT, "getBanks"))["data"]["response"]
    cards = node_ok(run_node(shop, NODE_CLIENT, "getCards"))["data"]["response"]
    shinhan = node_ok(run_node(shop, NODE_CLIENT, "getBank", code="088"))["data"]["response"]
    bc = node_ok(run_node(shop, NODE_CLIENT, "getCard", code="361"))["data"]["response"]

    assert {"code": "004", "name": "국민은행"} in banks
    assert {"code": "381", "name": "KB국민카드"} in cards
    assert shinhan == {"code": "088", "name": "신한은행"}
    assert bc == {"code": "361", "name": "BC카드"}


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)

BILLING_CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101"}


def test_iamport_rest_client_creates_reads_and_deletes_a_billing_key(py_client: Iamport) -> None:
    """customer_create (customer_uid repeated in the body), customer_get, customer_delete; an
    unknown customer_uid is HTTP 200 code 1, which PY raises as ResponseError(1, message)."""
    created = py_client.customer_create(customer_uid="py-cust", customer_name="홍길동", **BILLING_CARD)
    read = py_client.customer_get("py-cust")
    deleted = py_client.customer_delete("py-cust")
    with pytest.raises(Iamport.ResponseError) as gone:
        py_client.customer_get("py-cust")

    assert created["customer_uid"] == "py-cust"
    assert created["pg_provider"] == "kcp"
    assert created["card_number"] == "411111******1111"
    assert read == created
    assert deleted["customer_uid"] == "py-cust"
    assert gone.value.code == 1
    assert gone.value.message == "요청하신 customer_uid(py-cust)로 등록된 정보를 찾을 수 없습니다."


def test_iamport_rest_client_raises_response_error_minus_one_for_a_declined_card(py_client: Iamport) -> None:
    """A card KCP refuses: ResponseError(-1, '카드정보 인증 및 빌키 발급에 실패하였습니다. (...)')."""
    with pytest.raises(Iamport.ResponseError) as declined:
        py_client.customer_create(
            customer_uid="py-declined", **{**BILLING_CARD, "card_number": "4000-0000-0000-0028"}
        )

    assert declined.value.code == -1
    assert declined.value.message.startswith("카드정보 인증 및 빌키 발급에 실패하였습니다.")


def test_iamporter_creates_finds_and_deletes_a_billing_key(impy_client: Iamporter) -> None:
    """create_billkey (form-encoded), find_billkey, delete_billkey; unknown -> ImpApiError."""
    created = impy_client.create_billkey(
        customer_uid="impy-cust", customer_info={"name": "김철수", "postcode": "04524"}, **BILLING_CARD
    )
    found = impy_client.find_billkey(customer_uid="impy-cust")
    deleted = impy_client.delete_billkey(customer_uid="impy-cust")
    with pytest.raises(ImpApiError) as gone:
        impy_client.find_billkey(customer_uid="impy-cust")

    assert created["customer_uid"] == "impy-cust"
    assert created["customer_name"] == "김철수"
    assert created["customer_postcode"] == "04524"
    assert found == created
    assert deleted["customer_uid"] == "impy-cust"
    assert gone.value.response.code == 1
