"""``POST /kcp/notifications``: KCP's common notification (kcp.md §9) makes a virtual account
``paid``, with deposits from the embedded sandbox (delivered in-process) and bodies as KCP
sends them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from homeport.app import create_app
from homeport.clock import FakeClock
from homeport.domain.payments.notifications import NotificationOutcome, NotificationRecord
from homeport.pg.kcp.methods import kcp_time_to_unix
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.e2e.processes import Credentials, get_token, pinned_demo_env, run_homeport, running_server
from tests.support import DEMO_KEY, DEMO_SECRET

ACK = '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>'
RETRY = '<html><body><form><input type="hidden" name="result" value="9999"></form></body></html>'
FORM = "application/x-www-form-urlencoded"
AMOUNT = 25000
DAY = 86_400


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


@pytest.fixture
async def issued(api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock) -> dict[str, Any]:
    """A virtual account issued by ``POST /vbanks`` on the sandbox site T0000."""
    answer = await api.post(
        "/vbanks",
        json={
            "merchant_uid": "vbank-noti-1",
            "amount": AMOUNT,
            "vbank_code": "004",
            "vbank_due": clock.now() + 2 * DAY,
            "name": "노르웨이 회전 의자",
            "buyer_name": "홍길동",
        },
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    payment: dict[str, Any] = answer.json()["response"]
    assert payment["status"] == "ready"
    return payment


async def sandbox_deposit(api: httpx.AsyncClient, tno: str, **fields: Any) -> dict[str, Any]:
    """A deposit at the embedded sandbox; its notification reaches homeport in-process."""
    answer = await api.post("/sandbox/_sandbox/deposit", json={"tno": tno, **fields})
    assert answer.status_code == 200, answer.text
    notification: dict[str, Any] = answer.json()
    return notification


async def payment_of(api: httpx.AsyncClient, auth: dict[str, str], imp_uid: str) -> dict[str, Any]:
    answer = await api.get(f"/payments/{imp_uid}", headers=auth)
    assert answer.status_code == 200, answer.text
    payment: dict[str, Any] = answer.json()["response"]
    return payment


async def history(services: Services, imp_uid: str) -> list[NotificationRecord]:
    async with SqlUnitOfWorkFactory(services.engine, services.box)(readonly=True) as tx:
        return await tx.pg_notifications.for_payment(imp_uid)


def tx00(payment: dict[str, Any], **overrides: str) -> dict[str, str]:
    """A TX00 deposit notification as KCP posts it (kcp.md §9.3-9.4)."""
    fields = {
        "site_cd": "T0000", "tno": payment["pg_tid"], "order_no": payment["merchant_uid"],
        "tx_cd": "TX00", "tx_tm": "20260101101500", "ipgm_name": "홍길동", "remitter": "김입금",
        "ipgm_mnyx": str(AMOUNT), "totl_mnyx": str(AMOUNT), "ipgm_time": "20260101101459",
        "bank_code": "04", "account": payment["vbank_num"], "op_cd": "50",
        "noti_id": "20260101101500123456", "cash_a_no": "", "cash_a_dt": "", "cash_no": "",
    }  # fmt: skip
    return fields | overrides


async def notify(
    api: httpx.AsyncClient, fields: dict[str, str], charset: str = "euc-kr", content_type: str = FORM
) -> httpx.Response:
    body = urlencode(fields, encoding="cp949" if charset == "euc-kr" else charset).encode("ascii")
    return await api.post("/kcp/notifications", content=body, headers={"Content-Type": content_type})


async def test_a_sandbox_deposit_makes_a_vbank_paid_at_the_deposit_time(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, issued: dict[str, Any]
) -> None:
    clock.advance(600)

    notification = await sandbox_deposit(api, issued["pg_tid"])

    # KCP's side: delivered on the first try, the reply being exactly result=0000 (§9.2).
    assert notification["delivered"] is True
    assert notification["attempts"][0]["status"] == 200
    assert notification["attempts"][0]["body"] == ACK
    payment = await payment_of(api, auth, issued["imp_uid"])
    assert payment["status"] == "paid"
    assert payment["amount"] == AMOUNT
    # ipgm_time is Korean time; paid_at is the same instant in UNIX seconds.
    assert payment["paid_at"] == clock.now()


@pytest.mark.parametrize(
    ("charset", "content_type"),
    [("euc-kr", FORM), ("euc-kr", f"{FORM}; charset=euc-kr"), ("utf-8", f"{FORM}; charset=utf-8")],
)
async def test_euc_kr_and_utf_8_notifications_are_both_applied(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    issued: dict[str, Any],
    charset: str,
    content_type: str,
) -> None:
    answer = await notify(api, tx00(issued), charset, content_type)

    assert answer.status_code == 200
    assert answer.text == ACK
    assert answer.headers["content-type"].startswith("text/html")
    payment = await payment_of(api, auth, issued["imp_uid"])
    assert (payment["status"], payment["paid_at"]) == ("paid", kcp_time_to_unix("20260101101459"))
    [record] = await history(services, issued["imp_uid"])
    assert record.depositor == "김입금"
    assert (record.pg_kind, record.outcome) == ("TX00/50", NotificationOutcome.PAID)


async def test_a_repeated_noti_id_is_acknowledged_and_changes_nothing(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, issued: dict[str, Any]
) -> None:
    half = tx00(issued, ipgm_mnyx="12500", totl_mnyx="12500")

    answers = [await notify(api, half) for _ in range(3)]

    assert [(a.status_code, a.text) for a in answers] == [(200, ACK)] * 3
    # Counted once: 12500 of 25000, so still awaiting the rest.
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "ready"
    assert [r.deposited_total for r in await history(services, issued["imp_uid"])] == [12500]


async def test_a_partial_deposit_keeps_the_account_ready_until_the_rest_arrives(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, services: Services, issued: dict[str, Any]
) -> None:
    await sandbox_deposit(api, issued["pg_tid"], amount=10000)
    partial = await payment_of(api, auth, issued["imp_uid"])
    clock.advance(600)

    await sandbox_deposit(api, issued["pg_tid"])  # what remains: 15000

    assert (partial["status"], partial["paid_at"]) == ("ready", 0)
    paid = await payment_of(api, auth, issued["imp_uid"])
    assert (paid["status"], paid["paid_at"], paid["amount"]) == ("paid", clock.now(), AMOUNT)
    records = await history(services, issued["imp_uid"])
    assert [(r.amount, r.deposited_total, r.outcome) for r in records] == [
        (10000, 10000, NotificationOutcome.PARTIALLY_PAID),
        (15000, AMOUNT, NotificationOutcome.PAID),
    ]


async def test_an_over_deposit_pays_and_records_the_excess(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, issued: dict[str, Any]
) -> None:
    await sandbox_deposit(api, issued["pg_tid"], amount=AMOUNT + 5000)
    await sandbox_deposit(api, issued["pg_tid"], amount=700)  # more, after it was paid

    payment = await payment_of(api, auth, issued["imp_uid"])
    assert (payment["status"], payment["amount"]) == ("paid", AMOUNT)
    records = await history(services, issued["imp_uid"])
    assert [(r.outcome, r.excess) for r in records] == [
        (NotificationOutcome.PAID, 5000),
        (NotificationOutcome.DEPOSITED_AFTER_PAID, 5700),
    ]


async def test_a_deposit_the_bank_cancelled_returns_the_account_to_ready(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, issued: dict[str, Any]
) -> None:
    await sandbox_deposit(api, issued["pg_tid"])

    cancelled = await sandbox_deposit(api, issued["pg_tid"], op_cd="13")

    assert cancelled["delivered"] is True
    payment = await payment_of(api, auth, issued["imp_uid"])
    assert (payment["status"], payment["paid_at"]) == ("ready", 0)
    records = await history(services, issued["imp_uid"])
    assert [(r.pg_kind, r.deposited_total) for r in records] == [("TX00/50", AMOUNT), ("TX00/13", 0)]
    # The buyer deposits again: paid again.
    await sandbox_deposit(api, issued["pg_tid"])
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "paid"


async def test_a_source_outside_the_allow_list_is_refused_and_changes_nothing(
    services: Services, auth: dict[str, str], api: httpx.AsyncClient, issued: dict[str, Any]
) -> None:
    stranger = httpx.ASGITransport(app=create_app(services), client=("203.0.113.9", 40000))
    body = urlencode(tx00(issued), encoding="cp949").encode("ascii")
    async with httpx.AsyncClient(transport=stranger, base_url="http://homeport.test") as client:
        answer = await client.post("/kcp/notifications", content=body, headers={"Content-Type": FORM})

    assert answer.status_code == 403
    assert "0000" not in answer.text
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "ready"
    assert await history(services, issued["imp_uid"]) == []


async def test_kcps_live_server_is_heard_by_default(
    services: Services, auth: dict[str, str], api: httpx.AsyncClient, issued: dict[str, Any]
) -> None:
    kcp = httpx.ASGITransport(app=create_app(services), client=("103.215.144.173", 40000))
    body = urlencode(tx00(issued), encoding="cp949").encode("ascii")
    async with httpx.AsyncClient(transport=kcp, base_url="http://homeport.test") as client:
        answer = await client.post("/kcp/notifications", content=body, headers={"Content-Type": FORM})

    assert (answer.status_code, answer.text) == (200, ACK)
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "paid"


async def test_a_notification_for_an_unknown_tno_is_recorded_and_acknowledged(
    api: httpx.AsyncClient, services: Services, issued: dict[str, Any]
) -> None:
    unknown = tx00(issued, tno="29991231000001", order_no="someone-else", noti_id="1")

    answer = await notify(api, unknown)

    # KCP would resend forever otherwise; nothing here can make the tno known later.
    assert (answer.status_code, answer.text) == (200, ACK)
    async with SqlUnitOfWorkFactory(services.engine, services.box)(readonly=True) as tx:
        stored = await tx.pg_notifications.get("kcp", "T0000", "1")
    assert stored is not None
    assert (stored.outcome, stored.imp_uid) == (NotificationOutcome.UNKNOWN_PAYMENT, None)


@pytest.mark.parametrize("tx_cd", ["TX01", "TX02", "TX07", "TX08"])
async def test_other_notification_kinds_are_recorded_and_change_nothing(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, issued: dict[str, Any], tx_cd: str
) -> None:
    fields = {k: v for k, v in tx00(issued, tx_cd=tx_cd).items() if k not in {"op_cd"}}

    answer = await notify(api, fields)

    assert (answer.status_code, answer.text) == (200, ACK)
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "ready"
    [record] = await history(services, issued["imp_uid"])
    assert (record.pg_kind, record.outcome) == (tx_cd, NotificationOutcome.RECORDED)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", FORM),
        (b"site_cd=T0000&tno=1", FORM),  # no tx_cd
        (b"site_cd=T0000&tno=1&tx_cd=TX00", FORM),  # a deposit without its amount
        (b'{"tx_cd": "TX00"}', "application/json"),
        (b"site_cd=T0000&tno=1&tx_cd=TX00&ipgm_mnyx=1&op_cd=999", FORM),  # op_cd is 2 characters
    ],
)
async def test_an_unreadable_notification_asks_kcp_to_resend(
    api: httpx.AsyncClient, body: bytes, content_type: str
) -> None:
    answer = await api.post("/kcp/notifications", content=body, headers={"Content-Type": content_type})

    assert (answer.status_code, answer.text) == (400, RETRY)


async def test_a_notification_that_cannot_be_stored_is_not_acknowledged(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, issued: dict[str, Any]
) -> None:
    async with services.engine.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE pg_notifications")

    answer = await notify(api, tx00(issued))

    # Anything but 0000 makes KCP resend (§9.2); the payment waits for that.
    assert (answer.status_code, answer.text) == (503, RETRY)
    assert (await payment_of(api, auth, issued["imp_uid"]))["status"] == "ready"


def test_homeport_serve_takes_deposits_from_its_sandbox_and_from_the_cli(tmp_path: Path) -> None:
    """A real server: a partial deposit through the mounted sandbox (notified in-process), the
    rest through ``homeport sandbox deposit`` in another process (notified over loopback)."""
    data_dir = tmp_path / "data"
    env = pinned_demo_env(data_dir)
    with running_server(data_dir, env) as server, httpx.Client(base_url=server.host, timeout=10.0) as client:
        demo = Credentials(code="", imp_key=DEMO_KEY, imp_secret=DEMO_SECRET)
        auth = {"Authorization": str(get_token(client, demo)["access_token"])}
        issued = client.post(
            "/vbanks",
            json={
                "merchant_uid": "served-1",
                "amount": AMOUNT,
                "vbank_code": "004",
                "vbank_due": 4_102_444_800,
            },
            headers=auth,
        ).json()["response"]
        partial = client.post("/sandbox/_sandbox/deposit", json={"tno": issued["pg_tid"], "amount": 5000})
        after_partial = client.get(f"/payments/{issued['imp_uid']}", headers=auth).json()["response"]
        rest = run_homeport(
            "sandbox", "deposit", "--tno", issued["pg_tid"], "--data-dir", str(data_dir / "sandbox"),
            "--notify-url", f"{server.host}/kcp/notifications", env=env, cwd=tmp_path,
        )  # fmt: skip
        paid = client.get(f"/payments/{issued['imp_uid']}", headers=auth).json()["response"]

    assert partial.json()["delivered"] is True, partial.text
    assert after_partial["status"] == "ready"
    assert rest.returncode == 0, rest.stderr
    assert "HTTP 200 result=0000" in rest.stdout
    assert (paid["status"], paid["amount"]) == ("paid", AMOUNT)
    assert paid["paid_at"] > 0
