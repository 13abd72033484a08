"""PyPI ``async-iamport`` (APY) against a live homeport (iamport-v1 §1-3, §9).

APY is aiohttp with ``base_url`` = origin and a cached token; like PY it raises ``HttpError``
for any status other than 200 and ``ResponseError`` for ``code != 0`` [APY ``get_response``].
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from async_iamport import AsyncIamport
from async_iamport import HttpError as AsyncHttpError
from async_iamport import ResponseError as AsyncResponseError

from tests.e2e.clients.shop import (
    BILLING_CARD,
    DECLINED_CARD,
    ISSUE_FAILED_MESSAGE,
    MASKED_BILLING_CARD,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    imp_uids,
    unknown_customer_message,
)
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


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
# Amount pre-registration (/payments/prepare, §4.2)


async def test_async_iamport_prepares_adjusts_and_validates(shop: Shop, apy_client: AsyncIamport) -> None:
    """prepare, adjust_prepare_amount (PUT) and prepare_validate agree on the changed amount."""
    await apy_client.prepare("apy-prepare-1", 10_000)
    await apy_client.adjust_prepare_amount("apy-prepare-1", 12_500)

    assert await apy_client.prepare_validate("apy-prepare-1", 12_500) is True
    assert await apy_client.prepare_validate("apy-prepare-1", 10_000) is False


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


async def test_async_iamport_creates_reads_and_deletes_a_billing_key(apy_client: AsyncIamport) -> None:
    """customer_create (customer_uid repeated in the JSON body), customer_get, customer_delete;
    an unknown customer_uid is HTTP 200 code 1, raised as ResponseError(1, message)."""
    created = await apy_client.customer_create(
        customer_uid="apy-cust", customer_tel="010-1234-5678", **BILLING_CARD
    )
    read = await apy_client.customer_get("apy-cust")
    deleted = await apy_client.customer_delete("apy-cust")
    with pytest.raises(AsyncResponseError) as gone:
        await apy_client.customer_get("apy-cust")

    assert created["customer_uid"] == "apy-cust"
    assert created["customer_tel"] == "010-1234-5678"
    assert created["card_number"] == MASKED_BILLING_CARD
    assert read == created
    assert deleted == created
    assert (gone.value.code, gone.value.message) == (1, unknown_customer_message("apy-cust"))


async def test_async_iamport_raises_response_error_minus_one_for_a_declined_card(
    apy_client: AsyncIamport,
) -> None:
    """A card the PG refuses at issuance: HTTP 200 code -1, raised as ResponseError(-1, ...)."""
    with pytest.raises(AsyncResponseError) as declined:
        await apy_client.customer_create(customer_uid="apy-declined", **DECLINED_CARD)

    assert declined.value.code == -1
    assert declined.value.message.startswith(ISSUE_FAILED_MESSAGE)
