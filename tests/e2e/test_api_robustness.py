"""Nothing a client sends makes homeport answer 500 (DESIGN invariant): random JSON values in
every field of every money-moving endpoint come back as the i'mport envelope with a 2xx/4xx
status, never as a server error."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Endpoint → the fields its body reads (iamport-v1 §4).
ENDPOINTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/subscribe/payments/again"): (
        "customer_uid",
        "merchant_uid",
        "amount",
        "name",
        "tax_free",
        "vat_amount",
        "currency",
        "card_quota",
        "custom_data",
        "notice_url",
        "buyer_name",
        "buyer_email",
        "browser_ip",
    ),
    ("POST", "/subscribe/payments/onetime"): (
        "merchant_uid",
        "amount",
        "card_number",
        "expiry",
        "birth",
        "pwd_2digit",
        "customer_uid",
        "card_quota",
        "customer_name",
        "buyer_tel",
    ),
    ("POST", "/payments/cancel"): (
        "imp_uid",
        "merchant_uid",
        "amount",
        "tax_free",
        "checksum",
        "reason",
        "refund_holder",
        "refund_bank",
        "refund_account",
        "refund_tel",
        "vat_amount",
    ),
    ("POST", "/subscribe/payments/schedule"): ("customer_uid", "schedules", "checking_amount", "card_number"),
    ("POST", "/subscribe/payments/unschedule"): ("customer_uid", "merchant_uid"),
    ("POST", "/vbanks"): ("merchant_uid", "amount", "vbank_code", "vbank_due", "vbank_holder", "name"),
    ("PUT", "/vbanks"): ("imp_uid", "amount", "vbank_due"),
    ("POST", "/escrows/logis/imp_000000000001"): ("sender", "receiver", "logis"),
    ("POST", "/payments/prepare"): ("merchant_uid", "amount", "currency"),
    ("POST", "/subscribe/customers/robust-1"): (
        "card_number",
        "expiry",
        "birth",
        "pwd_2digit",
        "customer_name",
    ),
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=60)
    | st.sampled_from(
        ["", "0", "-1", "1e3", "2030-12", "4111-1111-1111-1111", "imp_000000000001", "x" * 300]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def bodies(fields: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(fields), JSON_VALUES, max_size=len(fields))


@pytest.mark.parametrize(("method", "path"), list(ENDPOINTS))
async def test_random_bodies_never_make_a_server_error(
    api: httpx.AsyncClient, token_a: str, method: str, path: str
) -> None:
    auth = {"Authorization": token_a}
    # Hypothesis drives synchronous functions: draw the bodies first, then send them here.
    collected: list[dict[str, Any]] = []

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=bodies(ENDPOINTS[(method, path)]))
    def collect(body: dict[str, Any]) -> None:
        collected.append(body)

    collect()
    for body in collected:
        answer = await api.request(method, path, json=body, headers=auth)
        assert answer.status_code < 500, (body, answer.text)
        envelope = answer.json()
        assert set(envelope) == {"code", "message", "response"}, (body, envelope)


def form_pairs(fields: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Form fields as PHP and iamporter send them, brackets and repeats included."""
    key = st.builds(
        lambda name, suffix: name + suffix,
        st.sampled_from(fields),
        st.sampled_from(["", "[]", "[0]", "[0][merchant_uid]", "[company]", "[a][b]"]),
    )
    value = st.text(max_size=20) | st.sampled_from(
        ["1000", "-5", "1.5", "true", "2030-12", "imp_000000000001"]
    )
    return st.lists(st.tuples(key, value), max_size=6)


@pytest.mark.parametrize(("method", "path"), list(ENDPOINTS))
async def test_random_forms_never_make_a_server_error(
    api: httpx.AsyncClient, token_a: str, method: str, path: str
) -> None:
    auth = {"Authorization": token_a}
    collected: list[list[tuple[str, str]]] = []

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(pairs=form_pairs(ENDPOINTS[(method, path)]))
    def collect(pairs: list[tuple[str, str]]) -> None:
        collected.append(pairs)

    collect()
    for pairs in collected:
        form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
        answer = await api.request(method, path, content=urlencode(pairs), headers=form)
        assert answer.status_code < 500, (pairs, answer.text)
        assert set(answer.json()) == {"code", "message", "response"}, (pairs, answer.text)
