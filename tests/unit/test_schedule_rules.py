"""Scheduled payments' rules (iamport-v1 §4.4, §5.6): entries, status changes, listing windows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from homeport.domain.errors import InvalidRequest, ScheduleNotChangeable
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.orders import ChargeOrder
from homeport.domain.schedules.models import (
    ChargeOptions,
    Schedule,
    ScheduledCharge,
    ScheduleStatus,
    ScheduleWindow,
)
from homeport.domain.schedules.service import MAX_WINDOW_SECONDS, check_window

NOW = 1_767_225_600
DAY = 24 * 3600


def charge(
    schedule_at: int = NOW + DAY, options: ChargeOptions | None = None, **order: object
) -> ScheduledCharge:
    """A monthly 9,900 won charge due tomorrow; ``order`` overrides ChargeOrder fields."""
    base = ChargeOrder(merchant_uid="sub-2026-02", amount=9900, name="월 구독료")
    return ScheduledCharge(
        order=replace(base, **order),  # type: ignore[arg-type]
        schedule_at=schedule_at,
        options=options or ChargeOptions(),
    )


def schedule(**overrides: object) -> Schedule:
    base = Schedule(
        merchant_id=1,
        customer_uid="cust-1",
        charge=charge(),
        pg_provider="kcp",
        pg_id="A52Q7",
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def options(**values: object) -> ChargeOptions:
    return ChargeOptions(**values)  # type: ignore[arg-type]


def test_a_future_charge_in_won_is_accepted_as_sent() -> None:
    entry = charge(
        tax_free=900, installment_months=0, options=options(vat_amount=818, product_type="digital")
    )

    assert entry.check(NOW) is entry


@pytest.mark.parametrize("at", [NOW, NOW - 1, 0])
def test_a_schedule_at_now_or_in_the_past_is_refused(at: int) -> None:
    """It could never run at the time asked; the message names the entry and both times."""
    with pytest.raises(InvalidRequest, match=f"schedule_at은 현재 시각 이후.*{at}.*sub-2026-02"):
        charge(schedule_at=at).check(NOW)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (charge(merchant_uid=""), "merchant_uid는 1~40자"),
        (charge(merchant_uid="x" * 41), "merchant_uid는 1~40자"),
        (charge(amount=0), "amount는 1원 이상"),
        (charge(currency="USD"), "KRW만"),
        (charge(tax_free=10_000), "tax_free.*amount.*클 수 없습니다"),
        (charge(tax_free=900, options=options(vat_amount=9001)), "vat_amount는 과세금액"),
        (charge(installment_months=37), "card_quota는 0"),
        (charge(options=options(product_type="service")), "product_type은 real 또는 digital"),
        (charge(options=options(product_count=0)), "product_count는 1 이상"),
        (charge(options=options(cash_receipt_type="nobody")), "cash_receipt_type은"),
    ],
)
def test_entries_a_charge_could_not_be_made_from_are_refused(entry: ScheduledCharge, message: str) -> None:
    """``again``'s rules and the schedule's own; the message names the entry's merchant_uid."""
    with pytest.raises(InvalidRequest, match=f"{message}.*\\(merchant_uid {entry.merchant_uid}\\)$"):
        entry.check(NOW)


def test_installments_need_fifty_thousand_won() -> None:
    """card_quota >= 2 only from 50,000 won (§4.4); 0 and 1 are a lump sum at any amount."""
    with pytest.raises(InvalidRequest, match="50,000원 이상"):
        charge(amount=49_999, installment_months=3).check(NOW)
    assert charge(amount=50_000, installment_months=3).check(NOW)
    assert charge(amount=1000, installment_months=1).check(NOW)


def test_a_waiting_schedule_is_revoked_with_its_time() -> None:
    revoked = schedule().revoked(NOW + 5)

    assert revoked.status is ScheduleStatus.REVOKED
    assert (revoked.revoked_at, revoked.updated_at) == (NOW + 5, NOW + 5)


@pytest.mark.parametrize(
    "done",
    [
        schedule(status=ScheduleStatus.REVOKED, revoked_at=NOW),
        schedule(status=ScheduleStatus.EXECUTED, executed_at=NOW, payment_status=PaymentStatus.PAID),
    ],
)
def test_only_a_waiting_schedule_can_be_revoked_or_moved(done: Schedule) -> None:
    with pytest.raises(ScheduleNotChangeable, match="취소할 수 없습니다"):
        done.revoked(NOW)
    with pytest.raises(ScheduleNotChangeable, match=f"시각 변경할 수 없습니다.*{done.status.value}"):
        done.moved(NOW + 2 * DAY, NOW)


def test_moving_changes_only_the_time_and_refuses_the_past() -> None:
    moved = schedule().moved(NOW + 7 * DAY, NOW + 10)

    assert moved.schedule_at == NOW + 7 * DAY
    assert moved.charge == replace(charge(), schedule_at=NOW + 7 * DAY)
    assert moved.updated_at == NOW + 10
    with pytest.raises(InvalidRequest, match="현재 시각 이후"):
        schedule().moved(NOW, NOW)


@pytest.mark.parametrize(
    "earlier",
    [
        schedule(status=ScheduleStatus.REVOKED, revoked_at=NOW),
        schedule(
            status=ScheduleStatus.EXECUTED,
            executed_at=NOW,
            imp_uid="imps_123456789012",
            payment_status=PaymentStatus.FAILED,
            fail_reason="한도초과",
        ),
    ],
)
def test_a_revoked_or_failed_schedule_is_rescheduled_with_its_outcome_cleared(earlier: Schedule) -> None:
    again = earlier.rescheduled(NOW + 3 * DAY, NOW + 1)

    assert again.status is ScheduleStatus.SCHEDULED
    assert again.schedule_at == NOW + 3 * DAY
    assert (again.imp_uid, again.payment_status, again.fail_reason) == (None, None, None)
    assert (again.executed_at, again.revoked_at) == (0, 0)


@pytest.mark.parametrize(
    "current",
    [
        schedule(),
        schedule(status=ScheduleStatus.EXECUTED, executed_at=NOW, payment_status=PaymentStatus.PAID),
        schedule(status=ScheduleStatus.EXECUTED, executed_at=NOW, payment_status=PaymentStatus.CANCELLED),
    ],
)
def test_waiting_or_paid_schedules_cannot_be_rescheduled(current: Schedule) -> None:
    with pytest.raises(ScheduleNotChangeable, match="재예약할 수 없습니다"):
        current.rescheduled(NOW + DAY, NOW)


def test_listing_windows_are_ordered_and_at_most_three_months() -> None:
    """92 days is the longest three calendar months (July to September)."""
    assert check_window(ScheduleWindow(NOW, NOW + MAX_WINDOW_SECONDS))
    assert check_window(ScheduleWindow(NOW, NOW))
    assert MAX_WINDOW_SECONDS == 92 * DAY
    with pytest.raises(InvalidRequest, match="최대 3개월"):
        check_window(ScheduleWindow(NOW, NOW + MAX_WINDOW_SECONDS + 1))
    with pytest.raises(InvalidRequest, match="이후일 수 없습니다"):
        check_window(ScheduleWindow(NOW + 1, NOW))
