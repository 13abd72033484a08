"""The sandbox's /_sandbox control endpoints, in process (httpx ASGITransport)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from homeport.sandbox.clock import ManualClock
from homeport.sandbox.context import Sandbox
from homeport.sandbox.notifications import deposit
from tests.sandbox_notify.support import INTERVAL, RETRY_PAGE, Receiver, issue_account


async def test_a_deposit_by_account_answers_the_notification_with_its_attempts(
    control: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver
) -> None:
    """POST /_sandbox/deposit is KCP's stage mock-deposit page (kcp.md §9.5)."""
    account = issue_account(sandbox, amount=12_000)

    answer = await control.post(
        "/_sandbox/deposit", json={"account": account["account"], "amount": 12_000, "remitter": "이영희"}
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["fields"]["tx_cd"] == "TX00"
    assert body["fields"]["remitter"] == "이영희"
    assert body["fields"]["ipgm_mnyx"] == "12000"
    assert body["delivered"] is True
    assert [a["status"] for a in body["attempts"]] == [200]
    assert len(receiver.posts) == 1


async def test_a_deposit_by_tno_defaults_to_the_remaining_amount(
    control: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """tno finds the account issued for the transaction; amount defaults to what remains."""
    account = issue_account(sandbox, amount=45_000)

    answer = await control.post("/_sandbox/deposit", json={"tno": account["tno"]})

    assert answer.status_code == 200, answer.text
    assert answer.json()["fields"]["account"] == account["account"]
    assert answer.json()["fields"]["ipgm_mnyx"] == "45000"


async def test_a_reversal_through_the_control_api_uses_op_cd_13(
    control: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """op_cd 13 (as text or number) takes the deposit back."""
    account = issue_account(sandbox, amount=5_000)
    await control.post("/_sandbox/deposit", json={"account": account["account"]})

    answer = await control.post("/_sandbox/deposit", json={"account": account["account"], "op_cd": 13})

    assert answer.status_code == 200, answer.text
    assert (answer.json()["fields"]["op_cd"], answer.json()["fields"]["totl_mnyx"]) == ("13", "0")


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"account": "T9999999999999", "amount": 1000}, 404, "unknown_account"),
        ({"tno": "26030200000000"}, 404, "unknown_account"),
        ({}, 400, "missing_account"),
        ({"account": "ACCOUNT", "amount": "1000"}, 400, "bad_amount"),
        ({"account": "ACCOUNT", "amount": -1}, 400, "bad_amount"),
        ({"account": "ACCOUNT", "amount": 1.5}, 400, "bad_amount"),
        ({"account": "ACCOUNT", "op_cd": "x"}, 400, "bad_field"),
        ({"account": ["ACCOUNT"]}, 400, "bad_field"),
        ({"account": "ACCOUNT", "remitter": {"name": "x"}}, 400, "bad_field"),
    ],
)
async def test_bad_deposits_get_a_clear_4xx_json_error(
    control: httpx.AsyncClient, sandbox: Sandbox, body: dict[str, object], status: int, error: str
) -> None:
    """Unknown accounts are 404, bad amounts 400; never a 500."""
    account = issue_account(sandbox)
    body = {k: (account["account"] if v == "ACCOUNT" else v) for k, v in body.items()}

    answer = await control.post("/_sandbox/deposit", json=body)

    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error
    assert answer.json()["message"]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
async def test_a_body_that_is_not_a_json_object_is_a_400(control: httpx.AsyncClient, raw: bytes) -> None:
    """Garbage in, a clear 400 out."""
    answer = await control.post("/_sandbox/deposit", content=raw)

    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_json"


async def test_a_closed_account_is_a_409(control: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A cancelled account takes no deposit."""
    account = issue_account(sandbox, status="cancelled")

    answer = await control.post("/_sandbox/deposit", json={"account": account["account"]})

    assert answer.status_code == 409
    assert answer.json()["error"] == "account_closed"


async def test_deliver_sends_the_due_notifications_now(
    control: httpx.AsyncClient, sandbox: Sandbox, receiver: Receiver, clock: ManualClock
) -> None:
    """POST /_sandbox/notifications/deliver runs one round of retries."""
    account = issue_account(sandbox)
    receiver.answer((200, RETRY_PAGE))
    await deposit(sandbox, account["account"])

    not_yet = await control.post("/_sandbox/notifications/deliver")
    clock.advance(INTERVAL)
    due = await control.post("/_sandbox/notifications/deliver")

    assert not_yet.json() == {"tries": 0}
    assert due.json() == {"tries": 1}
    assert len(receiver.posts) == 2


async def test_records_list_a_kind_and_filter_on_fields(control: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """GET /_sandbox/records/{kind} lists records oldest first; query parameters filter."""
    first = issue_account(sandbox)
    issue_account(sandbox)
    await deposit(sandbox, first["account"])

    vbanks = (await control.get("/_sandbox/records/vbank")).json()
    one = (await control.get("/_sandbox/records/vbank", params={"tno": first["tno"]})).json()
    notes = (await control.get("/_sandbox/records/notification")).json()

    assert vbanks["count"] == 2
    assert [r["account"] for r in one["records"]] == [first["account"]]
    assert one["records"][0]["status"] == "deposited"
    assert notes["count"] == 1
    assert notes["records"][0]["attempts"]


async def test_records_never_show_billing_keys_or_card_numbers_whole(
    control: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Debug listings mask batch keys, card numbers and passwords."""
    sandbox.ledger.put("batch_key", "1234567890123456", {"batch_key": "1234567890123456", "group_id": "G"})
    sandbox.ledger.put(
        "auth", "enc", {"enc_data": "enc", "selection": {"card_no": "4111111111111111", "card_pwd": "12"}}
    )

    keys = (await control.get("/_sandbox/records/batch_key")).text
    auths = (await control.get("/_sandbox/records/auth")).json()

    assert "1234567890123456" not in keys
    assert "1234********3456" in keys
    assert auths["records"][0]["selection"] == {"card_no": "411111******1111", "card_pwd": "****"}


async def test_an_unknown_record_kind_is_a_404(control: httpx.AsyncClient) -> None:
    """Only the ledger's kinds can be listed."""
    answer = await control.get("/_sandbox/records/secrets")

    assert answer.status_code == 404
    assert answer.json()["error"] == "unknown_kind"


async def test_reset_clears_the_ledger(control: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """POST /_sandbox/reset forgets every record."""
    issue_account(sandbox)

    answer = await control.post("/_sandbox/reset")

    assert answer.json() == {"reset": True}
    assert sandbox.ledger.all("vbank") == []
    assert sandbox.ledger.all("transaction") == []


async def test_sites_show_notification_settings_and_test_credential_files(
    control: httpx.AsyncClient, receiver: Receiver
) -> None:
    """GET /_sandbox/sites: what a developer needs to point homeport at the sandbox."""
    sites = {s["site_cd"]: s for s in (await control.get("/_sandbox/sites")).json()["sites"]}

    assert set(sites) == {"T0000", "T0007", "A52Q7"}
    assert sites["T0000"]["notify_url"] == receiver.url("/kcp/noti")
    assert sites["T0000"]["notify_charset"] == "euc-kr"
    assert sites["T0007"]["notify_charset"] == "utf-8"
    assert sites["T0007"]["escrow"] is True
    assert sites["A52Q7"]["group_ids"] == ["A52Q71000489"]
    for site in sites.values():
        assert "BEGIN CERTIFICATE" in Path(site["certificate_path"]).read_text()  # noqa: ASYNC240
        assert "ENCRYPTED PRIVATE KEY" in Path(site["private_key_path"]).read_text()  # noqa: ASYNC240
        assert site["key_password"] == "changeit"
        assert site["test_only"] is True
