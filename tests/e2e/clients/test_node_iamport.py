"""npm ``iamport`` 0.3.4, the legacy Node client (NODEL), against a live homeport (iamport-v1 §9).

NODEL has no base-URL option: the host is the static ``Iamport.DEFAULT_HOST``. A call resolves
with the envelope's ``response``; statuses 400/401/404 reject with ``Error('<status>')`` and
``err.code = 'HTTP_<status>'`` (body ignored; a 401 is retried once with a fresh token); other
statuses with ``code != 0`` reject with ``Error(message)`` and ``err.code = 'IAMPORT_<code>'``
[NODEL lib/resource.js]. Methods are resource methods of the instance, e.g.
``payment.getByImpUid``; the URL parameter is taken out of the argument object, the rest is
the JSON body (POST) or the query string (others) [NODEL lib/iamportMethod.js].
"""

from __future__ import annotations

import pytest

from tests.e2e.clients.node import NodeClient, NodeRunner, call
from tests.e2e.clients.shop import (
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    imp_uids,
)

pytestmark = pytest.mark.clients


@pytest.fixture
def legacy(node_runner: NodeRunner) -> NodeClient:
    """The legacy client with ``Iamport.DEFAULT_HOST`` = the live server's origin."""
    return node_runner.client("iamport-legacy.mjs")


def test_legacy_node_iamport_finds_a_payment_by_imp_uid(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByImpUid resolves with the raw payment: every field, integer timestamps."""
    partial, vbank = legacy.run(
        call("payment.getByImpUid", {"imp_uid": shop.partial.imp_uid}),
        call("payment.getByImpUid", {"imp_uid": shop.vbank.imp_uid}),
    )
    assert_payment(partial.value, shop.partial)
    assert_payment(vbank.value, shop.vbank)


def test_legacy_node_iamport_finds_the_latest_payment_by_merchant_uid(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByMerchant resolves with the most recently started payment of the order."""
    result = legacy.ok("payment.getByMerchant", {"merchant_uid": "hp-retry"})
    assert_payment(result, shop.retry_paid)


def test_legacy_node_iamport_lists_payments_by_status(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByStatus sends page/limit as a query string and resolves with the paged listing."""
    result = legacy.ok("payment.getByStatus", {"payment_status": "all", "page": 1, "limit": 4})
    assert (result["total"], result["previous"], result["next"]) == (6, 0, 2)
    assert imp_uids(result["list"]) == [p.imp_uid for p in shop.by_status["all"][:4]]


def test_legacy_node_iamport_rejects_a_wrong_secret_with_http_401(shop: Shop, legacy: NodeClient) -> None:
    """A wrong secret rejects with Error('401') and code HTTP_401."""
    error = legacy.error("payment.getByImpUid", {"imp_uid": shop.paid.imp_uid}, secret=WRONG_SECRET)
    assert (error["message"], error["code"]) == ("401", "HTTP_401")


def test_legacy_node_iamport_rejects_an_unknown_imp_uid_with_http_404(legacy: NodeClient) -> None:
    """An unknown imp_uid rejects with Error('404') and code HTTP_404."""
    error = legacy.error("payment.getByImpUid", {"imp_uid": UNKNOWN_IMP_UID})
    assert (error["message"], error["code"]) == ("404", "HTTP_404")
