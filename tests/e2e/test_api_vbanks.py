"""Virtual accounts without a window: ``POST``/``PUT``/``DELETE /vbanks`` (iamport-v1 §4.6),
against the embedded KCP sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.attempts import AttemptOperation, AttemptState
from homeport.domain.payments.models import PaymentStatus
from homeport.pg import base as pg
from homeport.services import Services
from tests.support import ConnectorSpy, make_payment

#: Two days after the fake clock's start.
DAY = 86_400
#: 국민은행 issues KCP virtual accounts; 002 (산업은행) is a bank KCP's sandbox issues none at.
KOOKMIN = "004"
NO_VBANK_BANK = "002"


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def issue(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, **fields: Any
) -> httpx.Response:
    body = {
        "merchant_uid": "vbank-1",
        "amount": 25000,
        "vbank_code": KOOKMIN,
        "vbank_due": clock.now() + 2 * DAY,
        "vbank_holder": "홈포트상점",
        "name": "노르웨이 회전 의자",
        "buyer_name": "홍길동",
        "buyer_tel": "010-1234-5678",
    } | fields
    return await api.post("/vbanks", json=body, headers=auth)


async def test_post_vbanks_issues_an_account_awaiting_deposit(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    due = clock.now() + 2 * DAY

    answer = await issue(api, auth, clock, vbank_due=due, custom_data={"cart": 7})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["code"] == 0
    payment = body["response"]
    assert payment["status"] == "ready"
    assert payment["pay_method"] == "vbank"
    assert payment["merchant_uid"] == "vbank-1"
    assert payment["amount"] == 25000
    assert payment["channel"] == "api"
    assert payment["pg_provider"] == "kcp"
    assert payment["pg_tid"]
    assert payment["vbank_code"] == KOOKMIN
    assert payment["vbank_name"]
    assert payment["vbank_num"]
    assert payment["vbank_date"] == due
    assert payment["vbank_issued_at"] == clock.now()
    assert payment["paid_at"] == 0
    assert payment["custom_data"] == '{"cart":7}'


async def test_kcp_names_the_account_itself_whatever_vbank_holder_says(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    """KCP's stage accounts are held by 한국사이버결제 (kcp.md §9.5); vbank_holder is not sent."""
    payment = (await issue(api, auth, clock, vbank_holder="다른이름")).json()["response"]

    assert payment["vbank_holder"] == "한국사이버결제"


async def test_the_issued_account_is_found_as_a_ready_payment(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]

    found = await api.get(f"/payments/{issued['imp_uid']}", headers=auth)

    assert found.json()["response"]["status"] == "ready"
    assert found.json()["response"]["vbank_num"] == issued["vbank_num"]


async def test_a_merchant_uid_already_issued_is_refused(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    await issue(api, auth, clock)

    again = await issue(api, auth, clock)

    assert again.status_code == 200
    assert again.json()["code"] == 1
    assert "vbank-1" in again.json()["message"]


@pytest.mark.parametrize("code", ["4", "abc", "0004"])
async def test_a_bank_code_that_is_not_three_digits_is_a_bad_request(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, code: str
) -> None:
    answer = await issue(api, auth, clock, vbank_code=code)

    assert answer.status_code == 400
    assert answer.json()["code"] == -1
    assert "vbank_code" in answer.json()["message"]


async def test_a_bank_without_virtual_accounts_fails_saying_a_contract_is_needed(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """NIMP's test expects ``계약이 필요합니다.`` when the bank cannot issue (§4.6)."""
    answer = await issue(api, auth, clock, vbank_code=NO_VBANK_BANK)

    assert answer.status_code == 200
    assert answer.json()["code"] == -1
    assert "계약이 필요합니다." in answer.json()["message"]
    failed = await services.payments.find(merchant_a.merchant.id, "vbank-1", PaymentStatus.FAILED)
    assert failed.pay_method == "vbank"
    assert "8737" in (failed.fail_reason or "")


async def test_a_deadline_in_the_past_is_a_bad_request(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    answer = await issue(api, auth, clock, vbank_due=clock.now() - 60)

    assert answer.status_code == 400
    assert "vbank_due" in answer.json()["message"]


@pytest.mark.parametrize("missing", ["merchant_uid", "amount", "vbank_code", "vbank_due"])
async def test_required_fields_are_named_when_missing(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, missing: str
) -> None:
    answer = await issue(api, auth, clock, **{missing: None})

    assert answer.status_code == 400
    assert missing in answer.json()["message"]


async def test_an_amount_sent_as_a_string_is_refused(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    answer = await issue(api, auth, clock, amount="25000")

    assert answer.status_code == 400
    assert "amount" in answer.json()["message"]


async def test_a_form_body_is_read_like_json(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    due = clock.now() + DAY
    form = {"merchant_uid": "vbank-form", "amount": "1000", "vbank_code": KOOKMIN, "vbank_due": str(due)}

    answer = await api.post("/vbanks", data=form, headers=auth)

    assert answer.json()["response"]["vbank_date"] == due


async def test_a_pre_registered_amount_that_differs_refuses_the_issue(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    await api.post("/payments/prepare", json={"merchant_uid": "vbank-1", "amount": 1000}, headers=auth)

    answer = await issue(api, auth, clock, amount=25000)

    assert answer.status_code == 400
    assert "사전등록" in answer.json()["message"]


async def test_the_payment_and_a_pending_attempt_are_stored_before_kcp_is_asked(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    seen: list[tuple[PaymentStatus, list[tuple[AttemptOperation, AttemptState]]]] = []

    async def look(_request: pg.VirtualAccountRequest) -> None:
        found = await services.payments.find(merchant_a.merchant.id, "vbank-1")
        attempts = await services.payments.attempts(merchant_a.merchant.id, found.imp_uid)
        seen.append((found.status, [(a.operation, a.state) for a in attempts]))

    with ConnectorSpy(services, before_vbank=look):
        issued = (await issue(api, auth, clock)).json()["response"]

    assert seen == [(PaymentStatus.READY, [(AttemptOperation.VBANK_ISSUE, AttemptState.PENDING)])]
    attempts = await services.payments.attempts(merchant_a.merchant.id, issued["imp_uid"])
    assert [(a.state, a.pg_tid) for a in attempts] == [(AttemptState.SUCCEEDED, issued["pg_tid"])]


# --- PUT -----------------------------------------------------------------------------------


async def test_put_is_refused_because_kcp_cannot_change_an_issued_account(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]

    by_path = await api.put(f"/vbanks/{issued['imp_uid']}", json={"amount": 30000}, headers=auth)
    by_body = await api.put("/vbanks", json={"imp_uid": issued["imp_uid"], "amount": 30000}, headers=auth)

    for answer in (by_path, by_body):
        assert answer.status_code == 400
        assert answer.json()["code"] == -1
        assert "KCP" in answer.json()["message"]
        assert "DELETE" in answer.json()["message"]


async def test_put_of_an_unknown_payment_is_404_and_of_a_card_payment_400(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    card = await services.payments.record(make_payment(merchant_a.merchant.id))

    unknown = await api.put("/vbanks/imp_000000000000", json={"amount": 1}, headers=auth)
    not_vbank = await api.put(f"/vbanks/{card.imp_uid}", json={"amount": 1}, headers=auth)

    assert unknown.status_code == 404
    assert not_vbank.status_code == 400
    assert "가상계좌 결제건이 아닙니다" in not_vbank.json()["message"]


# --- DELETE --------------------------------------------------------------------------------


async def test_delete_revokes_the_account_and_a_deposit_is_then_refused(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]
    clock.advance(60)

    answer = await api.delete(f"/vbanks/{issued['imp_uid']}", headers=auth)

    assert answer.status_code == 200, answer.text
    revoked = answer.json()["response"]
    assert revoked["status"] == "cancelled"
    assert revoked["cancelled_at"] == clock.now()
    assert revoked["cancel_reason"] == "가상계좌 발급 취소"
    # Nothing was paid, so nothing was refunded (decision 0004).
    assert revoked["cancel_amount"] == 0
    assert revoked["cancel_history"] == []
    deposit = await api.post(
        "/sandbox/_sandbox/deposit", json={"tno": issued["pg_tid"], "amount": issued["amount"]}
    )
    assert deposit.status_code == 409  # the sandbox's account_closed
    attempts = await services.payments.attempts(merchant_a.merchant.id, issued["imp_uid"])
    assert [(a.operation, a.state) for a in attempts] == [
        (AttemptOperation.VBANK_ISSUE, AttemptState.SUCCEEDED),
        (AttemptOperation.VBANK_REVOKE, AttemptState.SUCCEEDED),
    ]


async def test_delete_takes_the_reason_from_the_query(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]

    answer = await api.delete(f"/vbanks/{issued['imp_uid']}", params={"reason": "주문 취소"}, headers=auth)

    assert answer.json()["response"]["cancel_reason"] == "주문 취소"


async def test_a_pending_revoke_attempt_is_stored_before_kcp_is_asked(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]
    seen: list[list[tuple[AttemptOperation, AttemptState]]] = []

    async def look(request: pg.CancelRequest) -> None:
        assert (request.amount, request.deposited, request.pay_method) == (None, False, "vbank")
        attempts = await services.payments.attempts(merchant_a.merchant.id, issued["imp_uid"])
        seen.append([(a.operation, a.state) for a in attempts])

    with ConnectorSpy(services, before_cancel=look):
        await api.delete(f"/vbanks/{issued['imp_uid']}", headers=auth)

    assert seen == [
        [
            (AttemptOperation.VBANK_ISSUE, AttemptState.SUCCEEDED),
            (AttemptOperation.VBANK_REVOKE, AttemptState.PENDING),
        ]
    ]


async def test_delete_twice_is_refused_the_second_time(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]
    await api.delete(f"/vbanks/{issued['imp_uid']}", headers=auth)

    second = await api.delete(f"/vbanks/{issued['imp_uid']}", headers=auth)

    assert second.status_code == 400
    assert second.json()["code"] == -1
    assert "ready" in second.json()["message"]


async def test_delete_of_an_unknown_payment_is_404_and_of_a_paid_account_400(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    paid = await services.payments.record(make_payment(merchant_a.merchant.id, pay_method="vbank", card=None))

    unknown = await api.delete("/vbanks/imp_000000000000", headers=auth)
    deposited = await api.delete(f"/vbanks/{paid.imp_uid}", headers=auth)

    assert unknown.status_code == 404
    assert deposited.status_code == 400
    assert "/payments/cancel" in deposited.json()["message"]


async def test_another_merchant_can_neither_see_nor_change_nor_revoke_the_account(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, token_b: str
) -> None:
    issued = (await issue(api, auth, clock)).json()["response"]
    other = {"Authorization": token_b}

    seen = await api.get(f"/payments/{issued['imp_uid']}", headers=other)
    changed = await api.put(f"/vbanks/{issued['imp_uid']}", json={"amount": 1}, headers=other)
    revoked = await api.delete(f"/vbanks/{issued['imp_uid']}", headers=other)

    assert (seen.status_code, changed.status_code, revoked.status_code) == (404, 404, 404)
    still = await api.get(f"/payments/{issued['imp_uid']}", headers=auth)
    assert still.json()["response"]["status"] == "ready"


async def test_vbanks_need_a_token(api: httpx.AsyncClient, clock: FakeClock) -> None:
    answer = await issue(api, {}, clock)

    assert answer.status_code == 401


async def test_a_holder_lookup_is_the_contracts_failed_lookup_because_kcp_has_none(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """GET /vbanks/holder (§4.6) is called by NODE, NODEL, PHP and JAVA: KCP has no holder
    inquiry, so homeport answers the contract's "lookup failed" (404), not 405."""
    answer = await api.get(
        "/vbanks/holder", params={"bank_code": KOOKMIN, "bank_num": "1234567890"}, headers=auth
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == -1
    assert answer.json()["response"] is None
    assert "예금주 조회에 실패하였습니다." in answer.json()["message"]
    assert "KCP" in answer.json()["message"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"bank_num": "1234567890"}, "bank_code"),
        ({"bank_code": "4", "bank_num": "1"}, "bank_code"),
        ({"bank_code": KOOKMIN}, "bank_num"),
    ],
)
async def test_a_holder_lookup_without_a_bank_code_or_an_account_number_is_a_bad_request(
    api: httpx.AsyncClient, auth: dict[str, str], query: dict[str, str], named: str
) -> None:
    answer = await api.get("/vbanks/holder", params=query, headers=auth)

    assert answer.status_code == 400
    assert answer.json()["code"] == -1
    assert named in answer.json()["message"]


async def test_a_holder_lookup_needs_a_token(api: httpx.AsyncClient) -> None:
    answer = await api.get("/vbanks/holder", params={"bank_code": KOOKMIN, "bank_num": "1"})

    assert answer.status_code == 401
