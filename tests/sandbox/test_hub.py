"""The hub ``/gw/hub/v1/payment``: batch-key payment, key-in, key-in issuance, batch-key
delete, virtual account by API (kcp.md §6.4-6.6, §7)."""

from __future__ import annotations

import re

import pytest

from homeport.sandbox.context import Sandbox
from tests.sandbox.kcp import BATCH, GENERAL, GROUP_ID, HUB, Kcp, new_order

CARD_FIELDS = {"card_cd", "card_name", "card_no", "app_no", "quota", "acqu_cd", "card_mny", "van_cd"}


async def test_a_batch_key_pays_like_a_card_approval(kcp: Kcp) -> None:
    """A batch-key payment answers a card approval (PACA) and records the key on the transaction."""
    batch_key = await kcp.issue_batch_key()
    answer = await kcp.batch_pay(batch_key, 9900)
    assert answer["res_cd"] == "0000"
    assert answer["pay_method"] == "PACA"
    assert set(answer) >= CARD_FIELDS
    assert answer["amount"] == answer["card_mny"] == "9900"
    assert answer["card_no"] == "411111******1111"
    transaction = kcp.transaction(answer["tno"])
    assert transaction["batch_key"] == batch_key
    assert transaction["site_cd"] == BATCH
    assert transaction["rem_mny"] == 9900


async def test_a_batch_key_pays_again_and_again(kcp: Kcp) -> None:
    """A key is reusable: each payment gets its own tno."""
    batch_key = await kcp.issue_batch_key()
    first, second = await kcp.batch_pay(batch_key), await kcp.batch_pay(batch_key)
    assert first["tno"] != second["tno"]


async def test_an_unknown_batch_key_is_refused(kcp: Kcp) -> None:
    """A key never issued answers 9109 and charges nothing."""
    answer = await kcp.batch_pay("1234567890123456")
    assert answer["res_cd"] == "9109"
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_group_the_site_does_not_have_is_refused_with_5209(kcp: Kcp) -> None:
    """``bt_group_id`` must be the key's group and configured for the site."""
    batch_key = await kcp.issue_batch_key()
    answer = await kcp.batch_pay(batch_key, bt_group_id="A52Q79999999")
    assert answer["res_cd"] == "5209"


async def test_a_batch_key_of_another_site_is_unknown(kcp: Kcp) -> None:
    """A key issued to A52Q7 does not exist for T0000."""
    batch_key = await kcp.issue_batch_key()
    answer = await kcp.call(HUB, {**kcp.batch_pay_request(batch_key), **kcp.creds(GENERAL)})
    assert answer["res_cd"] == "9109"


async def test_a_deleted_batch_key_cannot_pay(kcp: Kcp, sandbox: Sandbox) -> None:
    """Delete answers exactly res_cd 0000 / 정상처리; the key then pays nothing and deletes once."""
    batch_key = await kcp.issue_batch_key()
    delete = {
        **kcp.creds(BATCH),
        "pay_method": "BATCH",
        "tx_type": "10005010",
        "batch_key": batch_key,
        "group_id": GROUP_ID,
        "site_key": "",
    }
    assert await kcp.call(HUB, delete) == {"res_cd": "0000", "res_msg": "정상처리"}
    key = sandbox.ledger.get("batch_key", batch_key)
    assert key is not None
    assert key["deleted_at"] == "20260302100000"
    assert (await kcp.batch_pay(batch_key))["res_cd"] == "9109"
    assert (await kcp.call(HUB, delete))["res_cd"] == "9109"


async def test_a_limit_scenario_on_a_key_declines_each_payment_and_keeps_the_key(kcp: Kcp) -> None:
    """A key issued for a card over its limit issues fine, then every payment answers 8016."""
    batch_key = await kcp.issue_batch_key(scenario="limit_exceeded")
    assert (await kcp.batch_pay(batch_key))["res_cd"] == "8016"
    assert (await kcp.batch_pay(batch_key))["res_cd"] == "8016"
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_key_in_payment_approves_with_a_masked_card(kcp: Kcp) -> None:
    """Key-in (card_tx_type 11121000) answers a card approval with the number masked."""
    answer = await kcp.keyin("4111111111111111", 3000)
    assert answer["res_cd"] == "0000"
    assert answer["pay_method"] == "PACA"
    assert answer["card_no"] == "411111******1111"
    assert set(answer) >= CARD_FIELDS
    assert kcp.transaction(answer["tno"])["amount"] == 3000


async def test_a_key_in_payment_without_birth_date_and_password_approves(kcp: Kcp) -> None:
    """비인증 key-in omits card_taxno and card_pwd."""
    request = kcp.keyin_request()
    del request["card_taxno"], request["card_pwd"]
    assert (await kcp.call(HUB, request))["res_cd"] == "0000"


@pytest.mark.parametrize(
    "card_no",
    ["4111111111111112", "411111111111", "41111111111111111111", "4111-1111-1111-1111", "5164530000000000"],
)
async def test_invalid_card_numbers_are_refused_with_8107(kcp: Kcp, card_no: str) -> None:
    """Not 13-19 digits, or failing the Luhn check, answers 8107 (kcp.md §11.1)."""
    answer = await kcp.keyin(card_no)
    assert answer["res_cd"] == "8107"
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_an_expired_card_is_refused(kcp: Kcp) -> None:
    """An expiry before the current month (2026-03) answers 8017; the current month still pays."""
    assert (await kcp.keyin(card_expiry="2602"))["res_cd"] == "8017"
    assert (await kcp.keyin(card_expiry="2603"))["res_cd"] == "0000"
    assert (await kcp.keyin(card_expiry="2613"))["res_cd"] == "9105"


@pytest.mark.parametrize(
    ("card_no", "res_cd"),
    [
        ("4000000000000002", "8016"),
        ("4000000000000010", "8041"),
        ("4000000000000028", "8107"),
        ("4000000000000036", "8017"),
    ],
)
async def test_decline_cards_answer_their_codes(kcp: Kcp, card_no: str, res_cd: str) -> None:
    """The scenario cards decline key-in payments with their codes and charge nothing."""
    answer = await kcp.keyin(card_no)
    assert answer["res_cd"] == res_cd
    assert "tno" not in answer
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_installments_need_50000_won(kcp: Kcp) -> None:
    """quota other than 00 below 50,000 won answers 9105; from 50,000 it approves."""
    assert (await kcp.keyin(amount=49999, quota="03"))["res_cd"] == "9105"
    answer = await kcp.keyin(amount=50000, quota="03")
    assert (answer["res_cd"], answer["quota"]) == ("0000", "03")


async def test_card_mny_must_equal_amount(kcp: Kcp) -> None:
    """``card_mny`` (= amount, kcp.md §6.5) differing from amount answers 9105."""
    answer = await kcp.keyin(amount=3000, card_mny="2000")
    assert answer["res_cd"] == "9105"
    assert "card_mny" in answer["res_msg"]


async def test_key_in_issuance_gives_a_key_that_pays(kcp: Kcp) -> None:
    """Legacy card_tx_type 12100000 issues a batch key from a card number (kcp.md §6.4)."""
    request = {
        **kcp.creds(BATCH),
        "card_tx_type": "12100000",
        "sign_txtype": "0001",
        "group_id": GROUP_ID,
        "card_no": "4111111111111111",
        "card_expiry": "3012",
        "card_taxno": "900101",
        "card_pwd": "00",
    }
    issued = await kcp.call(HUB, request)
    assert issued["res_cd"] == "0000"
    assert "tno" not in issued
    assert re.fullmatch(r"\d{16}", issued["batch_key"])
    assert (await kcp.batch_pay(issued["batch_key"]))["res_cd"] == "0000"
    refused = await kcp.call(HUB, {**request, "group_id": "A52Q70000000"})
    assert refused["res_cd"] == "5209"


def vbank_request(kcp: Kcp, **overrides: str) -> dict[str, str]:
    """A virtual account by API (kcp.md §7's fields): 25000 won at 국민은행, due 2026-03-05."""
    return {
        **kcp.creds(GENERAL),
        "pay_method": "VCNT",
        "va_txtype": "41100000",
        "amount": "25000",
        "va_mny": "25000",
        "va_bankcode": "BK04",
        "va_name": "홍길동",
        "va_date": "20260305235959",
        "va_receipt_gubn": "0",
        "currency": "410",
        "ordr_idxx": new_order(),
        "good_name": "가상계좌 상품",
        "buyr_name": "홍길동",
        **overrides,
    }


async def test_a_virtual_account_by_api_answers_v000(kcp: Kcp, sandbox: Sandbox) -> None:
    """pay_method=VCNT with va_txtype=41100000 issues an account and answers V000 (kcp.md §7)
    with the account, its bank, its holder (named like a stage account, §9.5) and deadline."""
    answer = await kcp.call(HUB, vbank_request(kcp))
    assert answer["res_cd"] == "V000"
    assert {"tno", "account", "bankname", "bankcode", "depositor", "va_date"} <= set(answer)
    assert re.fullmatch(r"T\d{13}", answer["account"])
    assert (answer["bankcode"], answer["bankname"], answer["va_date"], answer["depositor"]) == (
        "BK04",
        "국민은행",
        "20260305235959",
        "한국사이버결제",
    )
    account = sandbox.ledger.get("vbank", answer["account"])
    assert account is not None
    assert (account["status"], account["deposited"], account["bank_code"]) == ("waiting", 0, "04")
    transaction = kcp.transaction(answer["tno"])
    assert (transaction["pay_type"], transaction["deposited"]) == ("PAVC", 0)


async def test_a_virtual_account_by_api_is_refused_for_a_bad_bank_or_deadline(kcp: Kcp) -> None:
    """An unknown bank code and a past deadline are malformed (9105); a bank that issues no
    virtual accounts (케이뱅크, BK89, kcp.md §11.6) answers the sandbox's 8737."""
    assert (await kcp.call(HUB, vbank_request(kcp, va_bankcode="BK99")))["res_cd"] == "9105"
    assert (await kcp.call(HUB, vbank_request(kcp, va_date="20260301000000")))["res_cd"] == "9105"
    assert (await kcp.call(HUB, vbank_request(kcp, va_bankcode="BK89")))["res_cd"] == "8737"
    assert (await kcp.call(HUB, vbank_request(kcp, va_mny="24000")))["res_cd"] == "9105"


async def test_a_virtual_account_by_api_checks_mixed_taxation(kcp: Kcp) -> None:
    """tax_flag TG03 needs comm_tax_mny + comm_vat_mny + comm_free_mny = amount (the window's
    fields, kcp.md §10.1; unverified on the hub)."""
    mixed = {"tax_flag": "TG03", "comm_tax_mny": "13637", "comm_vat_mny": "1363", "comm_free_mny": "10000"}
    assert (await kcp.call(HUB, vbank_request(kcp, **mixed)))["res_cd"] == "V000"
    wrong = {**mixed, "comm_free_mny": "9999"}
    assert (await kcp.call(HUB, vbank_request(kcp, **wrong)))["res_cd"] == "9105"
    assert (await kcp.call(HUB, vbank_request(kcp, tax_flag="TG09")))["res_cd"] == "9105"


async def test_a_virtual_account_by_api_is_revoked_by_stsc_before_deposit(kcp: Kcp, sandbox: Sandbox) -> None:
    """STSC on an unpaid account cancels the transaction and closes the account (kcp.md §4.2)."""
    issued = await kcp.call(HUB, vbank_request(kcp))
    cancelled = await kcp.cancel(issued["tno"])
    assert cancelled["res_cd"] == "0000"
    account = sandbox.ledger.get("vbank", issued["account"])
    assert account is not None
    assert account["status"] == "cancelled"
    inquiry = await kcp.inquire(issued["tno"], "PAVC")
    assert (inquiry["shop_status"], inquiry["rem_mny"]) == ("STSC", "0")


async def test_an_unknown_hub_operation_is_named(kcp: Kcp) -> None:
    """A hub call the sandbox cannot place answers 9105 naming what it saw."""
    answer = await kcp.call(HUB, {**kcp.creds(GENERAL), "card_tx_type": "99999999", "amount": "1000"})
    assert answer["res_cd"] == "9105"
    assert "card_tx_type='99999999'" in answer["res_msg"]
    nothing = await kcp.call(HUB, {**kcp.creds(GENERAL), "amount": "1000"})
    assert nothing["res_cd"] == "9105"
