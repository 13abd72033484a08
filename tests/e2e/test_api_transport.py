"""Envelope and transport rules every endpoint follows (iamport-v1 §1, §3)."""

from __future__ import annotations

import httpx
import pytest

from homeport.domain.merchants.models import CreatedMerchant
from homeport.services import Services
from tests.support import make_payment


async def test_success_is_http_200_with_code_zero_and_null_message_even_for_post(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    """iamport-rest-client treats anything but 200 as failure, so POST answers 200 too."""
    answer = await api.post(
        "/users/getToken", json={"imp_key": merchant_a.imp_key, "imp_secret": merchant_a.imp_secret}
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json; charset=UTF-8"
    assert list(answer.json()) == ["code", "message", "response"]


async def test_trailing_slashes_are_ignored_on_post_and_get(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, services: Services, token_a: str
) -> None:
    """The PHP client posts to ``/x/``; Go and node-iamporter GET ``/payments/find/{m}/``."""
    payment = make_payment(merchant_a.merchant.id)
    await services.payments.record(payment)

    token = await api.post(
        "/users/getToken/", json={"imp_key": merchant_a.imp_key, "imp_secret": merchant_a.imp_secret}
    )
    found = await api.get(f"/payments/find/{payment.merchant_uid}/", headers={"Authorization": token_a})

    assert token.status_code == 200
    assert found.status_code == 200
    assert found.json()["response"]["imp_uid"] == payment.imp_uid


async def test_unknown_routes_and_wrong_methods_answer_in_the_envelope(api: httpx.AsyncClient) -> None:
    """Even a typo in the path gets a JSON body with a string message."""
    missing = await api.get("/no/such/thing")
    wrong_method = await api.delete("/users/getToken")

    assert missing.status_code == 404
    assert "GET /no/such/thing" in missing.json()["message"]
    assert wrong_method.status_code == 405
    assert wrong_method.json()["response"] is None


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"imp_key": ', "application/json"),
        (b"[]", "application/json"),
        (b"\xff\xfe\xfd", "application/x-www-form-urlencoded"),
        (b"<a/>", "application/xml"),
        (b'{"imp_key": "k", "imp_secret": ["list"]}', "application/json"),
        (b"imp_key[a][b]=1&imp_secret=2", "application/x-www-form-urlencoded"),
    ],
)
async def test_malformed_bodies_get_a_400_envelope_never_a_500(
    api: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    """Whatever a client sends, the answer is a clear 400."""
    answer = await api.post("/users/getToken", content=content, headers={"Content-Type": content_type})

    assert answer.status_code == 400
    assert answer.json()["code"] != 0
    assert answer.json()["message"]


async def test_json_nulls_are_treated_as_absent(api: httpx.AsyncClient) -> None:
    """PHP sends every property; ``null`` credentials are "missing", not type errors."""
    answer = await api.post("/users/getToken", json={"imp_key": None, "imp_secret": None})

    assert answer.json()["message"] == "imp_key, imp_secret 파라메터가 누락되었습니다."


async def test_health_reports_ok_and_metrics_count_requests_by_route(api: httpx.AsyncClient) -> None:
    """/health checks the database; /metrics labels requests by route template, not path."""
    health = await api.get("/health")
    await api.get("/payments/imp_123456789012")
    metrics = await api.get("/metrics")

    assert health.json()["response"]["status"] == "ok"
    assert metrics.status_code == 200
    assert 'route="/payments/{imp_uid}"' in metrics.text
    assert "imp_123456789012" not in metrics.text
    assert "homeport_http_request_duration_seconds_bucket" in metrics.text
