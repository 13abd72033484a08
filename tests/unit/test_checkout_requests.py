"""The rules ``IMP.request_pay``'s params must pass before a window opens (iamport-v1 §7.3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from homeport.domain.checkout.requests import (
    GIFT_CERTIFICATES,
    PAY_METHODS,
    CheckoutRequest,
    EscrowProduct,
    PgSelection,
    checkout_request,
    pg_selection,
)
from homeport.domain.errors import InvalidAmount, InvalidRequest

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z = 09:00 KST


def build(**params: Any) -> CheckoutRequest:
    return checkout_request({"merchant_uid": "order-1", "amount": 1000, **params}, now=NOW)


def refusal(**params: Any) -> str:
    with pytest.raises(InvalidRequest) as caught:
        build(**params)
    return caught.value.message


def test_the_smallest_request_is_a_card_payment_in_korean_on_the_default_channel() -> None:
    request = build()

    assert request.pay_method == "card"
    assert request.language == "ko"
    assert request.pg == PgSelection(kind="default", site_cd=None, billing=False)
    assert (request.merchant_uid, request.amount) == ("order-1", 1000)


def test_the_sdk_default_merchant_uid_is_accepted() -> None:
    assert build(merchant_uid="nobody_1767225600000").merchant_uid == "nobody_1767225600000"


@pytest.mark.parametrize("params", [{"merchant_uid": None}, {"merchant_uid": "x" * 41}])
def test_merchant_uid_is_required_and_at_most_40_characters(params: dict[str, Any]) -> None:
    assert "merchant_uid" in refusal(**params)


def test_a_string_amount_is_refused_with_a_message_naming_the_fix() -> None:
    with pytest.raises(InvalidAmount) as caught:
        build(amount="1000")
    assert "amount" in caught.value.message
    assert "JSON number" in caught.value.message


@pytest.mark.parametrize("amount", [None, 0, 1000.5, -1])
def test_amount_is_a_required_positive_whole_number(amount: object) -> None:
    assert "amount" in refusal(amount=amount)


def test_every_pay_method_of_the_seeds_is_accepted() -> None:
    for method in PAY_METHODS:
        extra = {"bypass": {"shop_user_id": "buyer-7"}} if method in GIFT_CERTIFICATES else {}
        assert build(pay_method=method, **extra).pay_method == method


def test_another_pay_method_is_refused_naming_the_allowed_ones() -> None:
    message = refusal(pay_method="paypal")
    assert "paypal" in message
    assert "card, samsung, trans, vbank" in message


@pytest.mark.parametrize("method", sorted(GIFT_CERTIFICATES))
def test_a_gift_certificate_needs_the_shop_user_id(method: str) -> None:
    assert "bypass.shop_user_id" in refusal(pay_method=method)
    assert build(pay_method=method, bypass={"shop_user_id": "u1"}).shop_user_id == "u1"


def test_buyer_fields_keep_the_storage_limits_of_the_rest_api() -> None:
    assert build(buyer_tel="010-1234-5678", buyer_postcode=6236).buyer.postcode == "6236"
    assert "buyer_name는 64자 이하" in refusal(buyer_name="가" * 65)
    assert "buyer_email" in refusal(buyer_email=["a@b"])


def test_language_is_ko_or_en() -> None:
    assert build(language="en").language == "en"
    assert "language" in refusal(language="zh")


def test_m_redirect_url_must_be_an_http_url() -> None:
    assert build(m_redirect_url="https://shop.test/done").m_redirect_url == "https://shop.test/done"
    assert "m_redirect_url" in refusal(m_redirect_url="javascript:alert(1)")
    assert "m_redirect_url" in refusal(m_redirect_url="/done")


def test_notice_url_is_one_url_or_several_kept_as_a_json_array() -> None:
    assert build(notice_url="https://shop.test/hook").notice_url == "https://shop.test/hook"
    several = build(notice_url=["https://a.test/h", "https://b.test/h"])
    assert several.notice_urls == ("https://a.test/h", "https://b.test/h")
    assert json.loads(several.notice_url or "") == ["https://a.test/h", "https://b.test/h"]
    assert "notice_url[1]" in refusal(notice_url=["https://a.test/h", "ftp://b.test"])
    assert "notice_url" in refusal(notice_url={"url": "https://a.test"})


def test_custom_data_object_is_kept_as_its_json_text_and_a_string_as_is() -> None:
    assert build(custom_data={"cart": [1, 2], "메모": "선물"}).custom_data == '{"cart":[1,2],"메모":"선물"}'
    assert build(custom_data="plain").custom_data == "plain"


def test_tax_free_cannot_exceed_the_amount() -> None:
    assert build(tax_free=1000).tax_free == 1000
    assert "tax_free" in refusal(tax_free=1001)
    assert "tax_free" in refusal(tax_free="100")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-02", 1_767_365_999),  # 2026-01-02 23:59:59 KST
        ("20260102", 1_767_365_999),
        ("2026-01-02 10:30:00", 1_767_317_400),  # 10:30 KST = 01:30Z
        ("20260102103000", 1_767_317_400),
        ("202601021030", 1_767_317_400),
    ],
)
def test_vbank_due_reads_every_listed_format_as_korean_time(text: str, expected: int) -> None:
    assert build(pay_method="vbank", vbank_due=text).vbank_due == expected


def test_vbank_due_must_be_in_the_future_and_in_a_listed_format() -> None:
    assert "현재 이후" in refusal(vbank_due="2026-01-01 08:59:59")  # 23:59:59Z the day before
    assert "YYYYMMDDhhmm" in refusal(vbank_due="02/01/2026")
    assert "vbank_due" in refusal(vbank_due="2026-02-30")


def test_installments_are_offered_only_from_50000_won() -> None:
    assert build(amount=50_000, display={"card_quota": [2, 3]}).card.offered_quotas == (2, 3)
    assert build(amount=49_000, display={"card_quota": []}).card.offered_quotas == ()
    assert "50,000원" in refusal(amount=49_000, display={"card_quota": [2, 3]})
    assert "50,000원" in refusal(amount=49_000, card={"direct": {"code": "361", "quota": 3}})


def test_quotas_are_whole_months_up_to_36() -> None:
    assert "display.card_quota" in refusal(amount=60_000, display={"card_quota": [2, "3"]})
    assert "card.direct.quota" in refusal(amount=60_000, card={"direct": {"code": "361", "quota": 37}})
    assert "display.card_quota" in refusal(display={"card_quota": 3})


def test_card_direct_and_detail_are_typed() -> None:
    request = build(
        amount=60_000,
        card={"direct": {"code": "361", "quota": 3}, "detail": [{"card_code": "*", "enabled": False}]},
        appCard=True,
    )
    assert (request.card.direct_code, request.card.direct_quota, request.installment_months) == ("361", 3, 3)
    assert request.card.detail == (("*", False),)
    assert request.card.app_card_only is True
    assert "card.direct.code" in refusal(card={"direct": {"quota": 0}})
    assert "card.detail[0].enabled" in refusal(card={"detail": [{"card_code": "361"}]})
    assert "appCard" in refusal(appCard="yes")


def test_auth_mode_is_key_in_only() -> None:
    assert build(auth_mode="key-in").card.key_in is True
    assert "auth_mode" in refusal(auth_mode="otp")


def test_bypass_site_logo_and_prefill_phone_number_are_kept() -> None:
    request = build(
        bypass={"site_logo": "https://shop.test/logo.png"}, prefill={"phoneNumber": "01012345678"}
    )
    assert request.site_logo == "https://shop.test/logo.png"
    assert request.prefill_phone_number == "01012345678"
    assert "bypass.site_logo" in refusal(bypass={"site_logo": "logo.png"})
    assert "bypass" in refusal(bypass="shop")


def test_an_escrow_payment_needs_a_cart_that_does_not_cost_more_than_the_payment() -> None:
    cart = [{"orderNumber": "A1", "name": "책", "quantity": 2, "amount": 800}]
    request = build(escrow=True, kcpProducts=cart)
    assert request.escrow is True
    assert request.escrow_products == (EscrowProduct("A1", "책", 2, 800),)
    assert "kcpProducts" in refusal(escrow=True)
    assert "합계" in refusal(escrow=True, kcpProducts=[{**cart[0], "amount": 1200}])
    assert "kcpProducts[0].quantity" in refusal(escrow=True, kcpProducts=[{**cart[0], "quantity": 0}])
    assert "kcpProducts[0].name" in refusal(escrow=True, kcpProducts=[{**cart[0], "name": None}])


@pytest.mark.parametrize(
    ("pg", "expected"),
    [
        (None, PgSelection("default", None, False)),
        ("kcp", PgSelection("kcp", None, False)),
        ("kcp.T0000", PgSelection("kcp", "T0000", False)),
        ("kcp_billing", PgSelection("kcp", None, True)),
        ("kcp_billing.A52Q7", PgSelection("kcp", "A52Q7", True)),
    ],
)
def test_pg_selects_the_default_a_kcp_site_or_billing(pg: str | None, expected: PgSelection) -> None:
    assert pg_selection(pg) == expected


@pytest.mark.parametrize("pg", ["html5_inicis", "nice.MID", "tosspayments", 3])
def test_other_pgs_are_refused_saying_homeport_serves_kcp_only(pg: object) -> None:
    assert "pg" in refusal(pg=pg)
    if isinstance(pg, str):
        assert "KCP만 지원" in refusal(pg=pg)


@pytest.mark.parametrize("pg", ["kcp.", "kcp.a.b"])
def test_a_malformed_site_code_is_refused(pg: str) -> None:
    assert "사이트코드" in refusal(pg=pg)


def test_billing_needs_a_customer_uid_and_may_show_a_zero_amount() -> None:
    assert "customer_uid" in refusal(pg="kcp_billing")
    request = build(pg="kcp_billing", customer_uid="cust-1", amount=0)
    assert (request.pg.billing, request.customer_uid, request.amount) == (True, "cust-1", 0)


def test_a_customer_uid_outside_a_billing_window_is_refused() -> None:
    assert "kcp_billing" in refusal(customer_uid="cust-1")


def test_only_won_is_accepted() -> None:
    assert build(currency="krw").amount == 1000
    assert "KRW" in refusal(currency="USD")
