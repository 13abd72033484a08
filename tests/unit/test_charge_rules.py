"""Rules a charge or a cancel must pass before anything is stored or sent to KCP."""

from __future__ import annotations

import pytest

from homeport.domain.errors import InvalidAmount, InvalidRequest
from homeport.domain.payments.attempts import AttemptState
from homeport.domain.payments.cancels import CancelOrder
from homeport.domain.payments.orders import ChargeOrder, fail_reason
from homeport.pg.base import Declined


@pytest.mark.parametrize(
    ("order", "error", "words"),
    [
        (ChargeOrder("o", 0), InvalidAmount, "1원 이상"),
        (ChargeOrder("o", 1000, tax_free=1001), InvalidAmount, "tax_free"),
        (ChargeOrder("o", 1000, currency="USD"), InvalidRequest, "KRW"),
        (ChargeOrder("o", 49_999, installment_months=2), InvalidRequest, "50,000원"),
        (ChargeOrder("o", 100_000, installment_months=37), InvalidRequest, "card_quota"),
        (ChargeOrder("", 1000), InvalidRequest, "merchant_uid"),
    ],
)
def test_an_order_kcp_would_refuse_is_refused_first(
    order: ChargeOrder, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        order.validate()


def test_installments_start_at_50000_won_and_one_month_means_lump_sum() -> None:
    ChargeOrder("o", 50_000, installment_months=2).validate()

    assert ChargeOrder("o", 50_000, installment_months=1).installments == 0
    assert ChargeOrder("o", 50_000, installment_months=12).installments == 12


def test_a_fail_reason_carries_the_pg_code_and_the_pg_words() -> None:
    kcp = Declined("card_limit_exceeded", "한도초과", "limit", "", "8016", "카드 사용한도를 초과하였습니다.")
    local = Declined("invalid_card_expiry", "카드 유효기간 형식이 올바르지 않습니다.", "", "", "", "")

    assert fail_reason(kcp) == "[8016] 카드 사용한도를 초과하였습니다."
    assert fail_reason(local) == "카드 유효기간 형식이 올바르지 않습니다."


def test_a_cancel_must_name_a_payment() -> None:
    with pytest.raises(InvalidRequest, match="지정해주셔야합니다"):
        CancelOrder(amount=1000).validate()
    CancelOrder(merchant_uid="o").validate()


def test_a_cancels_tax_free_part_cannot_exceed_the_amount() -> None:
    with pytest.raises(InvalidAmount, match="tax_free"):
        CancelOrder(imp_uid="imp_1", amount=1000, tax_free=1001).validate()


def test_pending_and_unknown_attempts_are_the_unsettled_ones() -> None:
    assert {s for s in AttemptState if s.unsettled} == {AttemptState.PENDING, AttemptState.UNKNOWN}
