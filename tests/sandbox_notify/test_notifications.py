"""Virtual-account deposits and KCP's common notification (TX00), against a real HTTP receiver."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from homeport.sandbox import notifications
from homeport.sandbox.clock import ManualClock
from homeport.sandbox.config import SiteConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.notifications import (
    AccountClosed,
    InvalidDeposit,
    NotificationLoop,
    UnknownAccount,
    deliver_due,
    deposit,
    reply_result,
)
from tests.e2e.processes import free_port
from tests.sandbox_notify.support import (
    INTERVAL,
    RETRY_PAGE,
    Post,
    Receiver,
    issue_account,
    make_sandbox,
)

TX00_FIELDS = {
    "site_cd", "tno", "order_no", "tx_cd", "tx_tm", "ipgm_name", "remitter", "ipgm_mnyx", "totl_mnyx",
    "ipgm_time", "bank_code", "account", "op_cd", "noti_id", "cash_a_no", "cash_a_dt", "cash_no",
    "char_set", "noti_cnt",
}  # fmt: skip


def form(post: Post, charset: str) -> dict[str, str]:
    """The posted form decoded in ``charset``; every field appears once."""
    parsed = parse_qs(post.body.decode("ascii"), keep_blank_values=True, encoding=charset, errors="strict")
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {key: values[0] for key, values in parsed.items()}


async def test_a_deposit_posts_tx00_form_fields_in_euc_kr_and_korean_names_survive(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """KCP's legacy charset is EUC-KR (kcp.md §9.1); every TX00 field of §9.3-9.4 is sent."""
    account = issue_account(sandbox, amount=50_000)

    notification = await deposit(sandbox, account["account"], 50_000, remitter="홍길동")

    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post.path == "/kcp/noti"
    assert post.headers["content-type"] == "application/x-www-form-urlencoded; charset=euc-kr"
    fields = form(post, "euc-kr")
    assert set(fields) == TX00_FIELDS
    assert fields["remitter"] == "홍길동"
    assert fields["ipgm_name"] == "김주문"  # the orderer the merchant registered
    assert fields["site_cd"] == "T0000"
    assert fields["tno"] == account["tno"]
    assert fields["order_no"] == account["ordr_idxx"]
    assert fields["tx_cd"] == "TX00"
    assert fields["tx_tm"] == fields["ipgm_time"] == "20260302100000"
    assert fields["ipgm_mnyx"] == fields["totl_mnyx"] == "50000"
    assert fields["bank_code"] == "04"  # two digits in notifications, not BK04 (§11.6)
    assert fields["account"] == account["account"]
    assert fields["op_cd"] == "50"
    assert fields["noti_id"] == notification["noti_id"]
    assert len(fields["noti_id"]) <= 20
    assert fields["char_set"] == "EUC-KR"
    assert fields["noti_cnt"] == "1"
    assert notification["delivered"]
    assert [a["ok"] for a in notification["attempts"]] == [True]
    assert b"%C8%AB" in post.body  # 홍 in EUC-KR
    assert b"%ED%99%8D" not in post.body  # not 홍 in UTF-8


async def test_a_utf8_site_gets_its_notification_in_utf8(sandbox: Sandbox, receiver: Receiver) -> None:
    """A site switched to UTF-8 in the merchant admin gets UTF-8 bytes and says so."""
    account = issue_account(sandbox, site_cd="T0007", amount=1000)

    await deposit(sandbox, account["account"], remitter="김철수")

    post = receiver.posts[0]
    assert post.path == "/utf8/noti"
    assert post.headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8"
    fields = form(post, "utf-8")
    assert fields["remitter"] == "김철수"
    assert fields["char_set"] == "UTF-8"
    assert fields["site_cd"] == "T0007"


async def test_the_deposit_marks_the_account_and_its_transaction_deposited(sandbox: Sandbox) -> None:
    """The vbank record and the transaction both carry the amount deposited."""
    account = issue_account(sandbox, amount=30_000)

    await deposit(sandbox, account["account"], 30_000)

    stored = sandbox.ledger.get("vbank", account["account"])
    transaction = sandbox.ledger.get("transaction", account["tno"])
    assert stored is not None
    assert transaction is not None
    assert (stored["status"], stored["deposited"]) == ("deposited", 30_000)
    assert transaction["deposited"] == 30_000


async def test_the_amount_defaults_to_what_remains_to_be_paid(sandbox: Sandbox, receiver: Receiver) -> None:
    """Omitting the amount deposits exactly the rest of the order."""
    account = issue_account(sandbox, amount=30_000)
    await deposit(sandbox, account["account"], 10_000)

    notification = await deposit(sandbox, account["account"])

    assert notification["fields"]["ipgm_mnyx"] == "20000"
    assert notification["fields"]["totl_mnyx"] == "30000"
    with pytest.raises(InvalidDeposit, match="fully paid"):
        await deposit(sandbox, account["account"])


async def test_an_under_deposit_is_reported_exactly_and_the_account_keeps_waiting(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """KCP reports what arrived; the merchant compares ipgm_mnyx with the order (§9.4)."""
    account = issue_account(sandbox, amount=50_000)

    first = await deposit(sandbox, account["account"], 20_000)
    second = await deposit(sandbox, account["account"], 30_000)

    assert (first["fields"]["ipgm_mnyx"], first["fields"]["totl_mnyx"]) == ("20000", "20000")
    assert (second["fields"]["ipgm_mnyx"], second["fields"]["totl_mnyx"]) == ("30000", "50000")
    stored = sandbox.ledger.get("vbank", account["account"])
    assert stored is not None
    assert stored["status"] == "deposited"
    assert stored["deposited"] == 50_000


async def test_a_partial_deposit_leaves_the_account_waiting(sandbox: Sandbox) -> None:
    """Less than the amount: booked and notified, but the account is not paid yet."""
    account = issue_account(sandbox, amount=50_000)

    await deposit(sandbox, account["account"], 1_000)

    stored = sandbox.ledger.get("vbank", account["account"])
    assert stored is not None
    assert (stored["status"], stored["deposited"]) == ("waiting", 1_000)


async def test_an_over_deposit_is_settled_as_deposited_with_the_exact_amount(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """KCP settles amount mismatches as deposited and does not refund (§9.4)."""
    account = issue_account(sandbox, amount=50_000)

    notification = await deposit(sandbox, account["account"], 70_000)

    fields = form(receiver.posts[0], "euc-kr")
    assert (fields["ipgm_mnyx"], fields["totl_mnyx"]) == ("70000", "70000")
    assert notification["fields"]["totl_mnyx"] == "70000"
    stored = sandbox.ledger.get("vbank", account["account"])
    assert stored is not None
    assert (stored["status"], stored["deposited"]) == ("deposited", 70_000)


async def test_op_cd_13_takes_a_deposit_back(sandbox: Sandbox, receiver: Receiver) -> None:
    """The bank cancelling a deposit is a TX00 with op_cd 13; the amount is subtracted again."""
    account = issue_account(sandbox, amount=50_000)
    await deposit(sandbox, account["account"], 50_000)

    reversal = await deposit(sandbox, account["account"], 50_000, op_cd="13")

    fields = form(receiver.posts[1], "euc-kr")
    assert (fields["op_cd"], fields["ipgm_mnyx"], fields["totl_mnyx"]) == ("13", "50000", "0")
    assert reversal["delivered"]
    stored = sandbox.ledger.get("vbank", account["account"])
    transaction = sandbox.ledger.get("transaction", account["tno"])
    assert stored is not None
    assert (stored["status"], stored["deposited"]) == ("waiting", 0)
    assert transaction is not None
    assert transaction["deposited"] == 0


async def test_cancel_deposit_defaults_to_everything_deposited(sandbox: Sandbox) -> None:
    """cancel_deposit is deposit(op_cd=13) taking back the whole deposited sum."""
    account = issue_account(sandbox, amount=50_000)
    await deposit(sandbox, account["account"], 20_000)

    reversal = await notifications.cancel_deposit(sandbox, account["account"])

    assert (reversal["fields"]["ipgm_mnyx"], reversal["fields"]["totl_mnyx"]) == ("20000", "0")


async def test_more_cannot_be_taken_back_than_was_deposited(sandbox: Sandbox, receiver: Receiver) -> None:
    """A reversal larger than the deposits is refused and nothing is sent."""
    account = issue_account(sandbox, amount=50_000)
    await deposit(sandbox, account["account"], 10_000)

    with pytest.raises(InvalidDeposit, match="only 10000"):
        await deposit(sandbox, account["account"], 10_001, op_cd="13")
    assert len(receiver.posts) == 1


async def test_every_notification_has_its_own_noti_id(sandbox: Sandbox, receiver: Receiver) -> None:
    """Merchants de-duplicate on noti_id (§9.4): it is unique per notification, ≤ 20 chars."""
    account = issue_account(sandbox, amount=100_000)

    made = [await deposit(sandbox, account["account"], 1_000) for _ in range(25)]

    ids = [n["noti_id"] for n in made]
    assert len(set(ids)) == 25
    assert all(len(i) <= 20 for i in ids)
    assert {form(p, "euc-kr")["noti_id"] for p in receiver.posts} == set(ids)
    assert len(sandbox.ledger.all("notification")) == 25


@pytest.mark.parametrize(
    ("reply", "error"),
    [((200, RETRY_PAGE), "result=9999"), ((500, "<html>oops</html>"), "HTTP 500"), ((200, "OK"), "no input")],
)
async def test_a_failed_delivery_is_retried_after_the_interval_until_result_0000_then_never_again(
    sandbox: Sandbox, receiver: Receiver, clock: ManualClock, reply: tuple[int, str], error: str
) -> None:
    """Only HTTP 200 with result=0000 counts (§9.2); other replies are retried every interval."""
    account = issue_account(sandbox)
    receiver.answer(reply, reply)

    notification = await deposit(sandbox, account["account"])

    assert not notification["delivered"]
    assert error in notification["attempts"][0]["error"]
    assert await deliver_due(sandbox) == 0  # not due yet
    clock.advance(INTERVAL - 1)
    assert await deliver_due(sandbox) == 0
    clock.advance(1)
    assert await deliver_due(sandbox) == 1  # second try: fails again
    clock.advance(INTERVAL)
    assert await deliver_due(sandbox) == 1  # third try: 0000
    clock.advance(INTERVAL * 10)
    assert await deliver_due(sandbox) == 0  # delivered: never again

    stored = notifications.get_notification(sandbox, notification["noti_id"])
    assert stored["delivered"]
    assert [a["ok"] for a in stored["attempts"]] == [False, False, True]
    assert [form(p, "euc-kr")["noti_cnt"] for p in receiver.posts] == ["1", "2", "3"]
    assert len({form(p, "euc-kr")["noti_id"] for p in receiver.posts}) == 1  # the same notification
    last = stored["attempts"][-1]
    assert (last["status"], last["result"], last["error"]) == (200, "0000", "")
    assert last["duration_ms"] >= 0
    assert last["at"]


async def test_a_receiver_that_is_down_is_retried_and_the_error_recorded(
    tmp_path: Path, credentials_template: Path, clock: ManualClock
) -> None:
    """A refused connection is a failed try like any other, retried after the interval."""
    nobody = f"http://127.0.0.1:{free_port()}/kcp/noti"
    sandbox = make_sandbox(
        tmp_path, credentials_template, clock, notify_interval_seconds=INTERVAL,
        sites=(SiteConfig("T0000", notify_url=nobody),),
    )  # fmt: skip
    try:
        account = issue_account(sandbox)
        notification = await deposit(sandbox, account["account"])
        clock.advance(INTERVAL)
        assert await deliver_due(sandbox) == 1
        stored = notifications.get_notification(sandbox, notification["noti_id"])
    finally:
        await sandbox.http.aclose()
        sandbox.ledger.close()

    assert not stored["delivered"]
    assert len(stored["attempts"]) == 2
    for attempt in stored["attempts"]:
        assert attempt["status"] is None
        assert attempt["result"] is None
        assert "ConnectError" in attempt["error"]


async def test_at_most_notify_attempts_tries_are_made(
    sandbox: Sandbox, receiver: Receiver, clock: ManualClock
) -> None:
    """After notify_attempts failures the sandbox gives up and says so."""
    account = issue_account(sandbox)
    tries = sandbox.config.notify_attempts
    receiver.answer(*[(200, RETRY_PAGE)] * (tries + 5))

    notification = await deposit(sandbox, account["account"])
    for _ in range(tries + 5):
        clock.advance(INTERVAL)
        await deliver_due(sandbox)

    stored = notifications.get_notification(sandbox, notification["noti_id"])
    assert len(receiver.posts) == tries == len(stored["attempts"])
    assert not stored["delivered"]
    assert stored["note"] == f"gave up after {tries} attempts"


async def test_a_site_without_notify_url_stores_the_notification_with_no_attempts(
    sandbox: Sandbox, receiver: Receiver, clock: ManualClock
) -> None:
    """No registered URL, nothing sent (§9.1); the record says why."""
    account = issue_account(sandbox, site_cd="A52Q7")

    notification = await deposit(sandbox, account["account"])
    clock.advance(INTERVAL * 3)

    assert await deliver_due(sandbox) == 0
    assert notification["attempts"] == []
    assert not notification["delivered"]
    assert "no notify_url" in notification["note"]
    assert receiver.posts == []


async def test_deposits_to_unknown_closed_or_expired_accounts_are_refused(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    """A bank takes no money for an account that does not exist, is closed or past its deadline."""
    with pytest.raises(UnknownAccount):
        await deposit(sandbox, "T0000000000000", 1000)
    closed = issue_account(sandbox, status="closed")
    with pytest.raises(AccountClosed):
        await deposit(sandbox, closed["account"], 1000)
    cancelled = issue_account(sandbox)
    transaction = sandbox.ledger.get("transaction", cancelled["tno"])
    assert transaction is not None
    sandbox.ledger.update("transaction", cancelled["tno"], {**transaction, "status": "STSC"})
    with pytest.raises(AccountClosed, match="cancelled"):
        await deposit(sandbox, cancelled["account"], 1000)
    expiring = issue_account(sandbox, va_days=1)
    clock.advance(3 * 24 * 3600)
    with pytest.raises(AccountClosed, match="expired"):
        await deposit(sandbox, expiring["account"], 1000)


@pytest.mark.parametrize("amount", [0, -5, "1000", 10.5, True, 10**13])
async def test_bad_amounts_are_refused(sandbox: Sandbox, amount: object) -> None:
    """Amounts are whole won between 1 and 12 digits (ipgm_mnyx ≤ 12)."""
    account = issue_account(sandbox)
    with pytest.raises(InvalidDeposit):
        await deposit(sandbox, account["account"], amount)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>',
        "<INPUT VALUE='0000' NAME='RESULT' TYPE='hidden'>",
        "<input name=result value=0000>",
        '<input type="hidden" name="result" value=" 0000 " />',
    ],
)
def test_the_reply_is_read_however_its_attributes_are_written(body: str) -> None:
    """Attribute order, quoting and case do not matter."""
    assert reply_result(body) == "0000"


def test_a_reply_without_a_result_input_has_no_result() -> None:
    """Only an input named result counts."""
    assert reply_result('<input name="res_cd" value="0000">result=0000') is None


async def test_concurrent_delivery_rounds_never_send_the_same_try_twice(
    sandbox: Sandbox, receiver: Receiver, clock: ManualClock
) -> None:
    """A try is claimed in the ledger before it is sent, so two loops cannot both send it."""
    account = issue_account(sandbox)
    receiver.answer((200, RETRY_PAGE))
    await deposit(sandbox, account["account"])
    clock.advance(INTERVAL)

    made = await asyncio.gather(*(deliver_due(sandbox) for _ in range(5)))

    assert sum(made) == 1
    assert len(receiver.posts) == 2


async def test_the_notification_loop_retries_by_itself_when_the_time_comes(
    sandbox: Sandbox, receiver: Receiver, clock: ManualClock
) -> None:
    """NotificationLoop (started by the app's lifespan) calls deliver_due until stopped."""
    account = issue_account(sandbox)
    receiver.answer((200, RETRY_PAGE))
    notification = await deposit(sandbox, account["account"])
    loop = NotificationLoop(sandbox, poll_seconds=0.02)
    loop.start()
    try:
        await asyncio.sleep(0.1)
        assert len(receiver.posts) == 1  # not due yet
        clock.advance(INTERVAL)
        for _ in range(250):
            if notifications.get_notification(sandbox, notification["noti_id"])["delivered"]:
                break
            await asyncio.sleep(0.02)
    finally:
        await loop.stop()

    assert notifications.get_notification(sandbox, notification["noti_id"])["delivered"]
    assert len(receiver.posts) == 2
