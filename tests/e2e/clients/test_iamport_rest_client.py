"""PyPI ``iamport-rest-client`` (PY) against a live homeport (iamport-v1 §1-3, §9).

PY calls getToken before every call, raises ``Iamport.HttpError(status, reason)`` for any
status other than 200 (body discarded), ``Iamport.ResponseError(code, message)`` for
``code != 0``, and otherwise returns the envelope's ``response`` [PY ``get_response``].
Pointed at homeport with ``imp_url`` = origin with a trailing slash.
"""

from __future__ import annotations

import pytest
from iamport import Iamport

from tests.e2e.clients.shop import (
    BILLING_CARD,
    DECLINED_CARD,
    ISSUE_FAILED_MESSAGE,
    MASKED_BILLING_CARD,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    expected_fields,
    imp_uids,
    unknown_customer_message,
)
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


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
# Amount pre-registration (/payments/prepare, §4.2)


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


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


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
    assert created["card_number"] == MASKED_BILLING_CARD
    assert read == created
    assert deleted["customer_uid"] == "py-cust"
    assert gone.value.code == 1
    assert gone.value.message == unknown_customer_message("py-cust")


def test_iamport_rest_client_raises_response_error_minus_one_for_a_declined_card(py_client: Iamport) -> None:
    """A card KCP refuses: ResponseError(-1, '카드정보 인증 및 빌키 발급에 실패하였습니다. (...)')."""
    with pytest.raises(Iamport.ResponseError) as declined:
        py_client.customer_create(customer_uid="py-declined", **DECLINED_CARD)

    assert declined.value.code == -1
    assert declined.value.message.startswith(ISSUE_FAILED_MESSAGE)
