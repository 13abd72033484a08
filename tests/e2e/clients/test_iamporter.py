"""PyPI ``iamporter`` (IMPY) against a live homeport (iamport-v1 §1-3, §9).

IMPY form-encodes everything (getToken included), fetches its token once at construction and
keeps only scheme and host of ``imp_url``. 401 -> ``ImpUnAuthorized(message)``; any other
failure -> ``ImpApiError(IamportResponse)`` [IMPY client.py ``_process_response``]. Its
low-level ``iamporter.api.Payments`` returns ``IamportResponse`` (status, code, message, data)
without raising.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from iamporter import Iamporter
from iamporter.api import Payments as IamporterPayments
from iamporter.errors import ImpApiError, ImpUnAuthorized

from tests.e2e.clients.shop import (
    BILLING_CARD,
    NOT_FOUND_MESSAGE,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    imp_uids,
)
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


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
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


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
