"""Scheduled payments through the real clients: the entries they send, the ScheduleResults they
must hand back (iamport-v1 §4.3, §4.4, §5.6, §8; docs/decisions/0002-schedules.md).

Every scenario here writes schedules (and issues billing keys), so it calls as the package's
second merchant (``Shop.writer``). The clients share one server and run in any order, so
each client schedules on its own day ahead (``schedule_day``), and its listing scenario owns
the first ``LISTED_HOURS`` of that day (``listing_window``) while its other scenarios schedule
later in the day: a range listing sees exactly the schedules its own scenario made.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.clients.charges import wire_time
from tests.e2e.clients.shop import Shop

DAY = 86_400
#: Scheduling for a customer_uid without a billing key and without card data (§4.4, §8).
NO_CUSTOMER_MESSAGE = "등록된 고객정보가 없습니다."
#: An unschedule that matched no waiting schedule (§4.4, §8).
NOTHING_TO_UNSCHEDULE_MESSAGE = "취소할 예약결제 기록이 존재하지 않습니다."
#: A merchant_uid that already names a schedule: HTTP 200 code 1, then the merchant_uid (decision 0002).
DUPLICATE_SCHEDULE_MESSAGE = "이미 예약된 merchant_uid입니다"

#: Every key of ScheduleResult (§5.6; all keys always present for raw clients).
SCHEDULE_KEYS = frozenset[str]().union(
    ("customer_uid", "merchant_uid", "imp_uid", "pg_provider", "pg_id", "customer_id"),
    ("schedule_at", "executed_at", "revoked_at", "amount", "currency", "name", "custom_data"),
    ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode"),
    ("schedule_status", "payment_status", "fail_reason", "promotion_id"),
)
#: The days ahead each client schedules on (see the module docstring).
SCHEDULE_DAYS = {"py": 10, "apy": 20, "impy": 30, "node": 40, "nodel": 50}
#: The hours of a client's day its listing scenario schedules in; the others use later hours.
LISTED_HOURS = 6
#: The hour of a client's day its refusal scenarios schedule at (after ``LISTED_HOURS``).
REFUSALS_HOUR = 12


def schedule_day(shop: Shop, client: str, hour: int = 0) -> int:
    """A UNIX time on ``client``'s own day ahead of the seeding time, ``hour`` hours into it."""
    return shop.now + SCHEDULE_DAYS[client] * DAY + hour * 3600


def listing_window(shop: Shop, client: str) -> tuple[int, int]:
    """``[from, to)``: the first ``LISTED_HOURS`` of ``client``'s day, its listing scenario's."""
    start = schedule_day(shop, client)
    return start, start + LISTED_HOURS * 3600


def assert_schedule(
    wire: dict[str, Any],
    *,
    customer_uid: str,
    merchant_uid: str,
    schedule_at: int,
    amount: int,
    status: str = "scheduled",
    dates: bool = False,
) -> None:
    """``wire`` is a ScheduleResult as a client handed it back: not executed yet, so no
    payment (``imp_uid`` and ``payment_status`` null, ``executed_at`` 0); ``revoked_at`` set
    only when ``status`` is ``revoked``. Raw clients (``dates=False``) must see every §5.6
    key; NODE keeps the keys its ScheduledResult class knows and turns non-zero times into
    Dates."""
    if not dates:
        assert wire.keys() >= SCHEDULE_KEYS, f"missing keys: {sorted(SCHEDULE_KEYS - wire.keys())}"
        assert (wire["pg_provider"], wire["currency"], wire["customer_id"]) == ("kcp", "KRW", None)
    actual = {
        "customer_uid": wire["customer_uid"],
        "merchant_uid": wire["merchant_uid"],
        "schedule_at": wire_time(wire, "schedule_at", dates=dates),
        "amount": wire["amount"],
        "schedule_status": wire["schedule_status"],
        "payment_status": wire["payment_status"],
        "imp_uid": wire["imp_uid"],
        "executed_at": wire_time(wire, "executed_at", dates=dates),
        "revoked": wire_time(wire, "revoked_at", dates=dates) > 0,
    }
    assert actual == {
        "customer_uid": customer_uid,
        "merchant_uid": merchant_uid,
        "schedule_at": schedule_at,
        "amount": amount,
        "schedule_status": status,
        "payment_status": None,
        "imp_uid": None,
        "executed_at": 0,
        "revoked": status == "revoked",
    }


def merchant_uids(schedules: list[dict[str, Any]]) -> list[str]:
    """The merchant_uids of ScheduleResults, in order."""
    return [s["merchant_uid"] for s in schedules]
