"""Approval ``/gw/enc/v1/payment`` after a window (tran_cd 00100000) and batch-key issuance
(00300001), kcp.md §6.3, §6.5, §11-12."""

from __future__ import annotations

import re

import pytest

from homeport.sandbox.context import Sandbox
from tests.sandbox.kcp import APPROVE, BATCH, GENERAL, GROUP_ID, Kcp

CARD_FIELDS = {
    "card_cd",
    "card_name",
    "card_no",
    "app_no",
    "app_time",
    "quota",
    "noinf",
    "partcanc_yn",
    "card_bin_type_01",
    "card_bin_type_02",
    "acqu_cd",
    "acqu_name",
    "card_mny",
    "coupon_mny",
    "van_cd",
    "mcht_taxno",
    "res_tax_flag",
    "res_tax_mny",
    "res_vat_mny",
    "res_free_mny",
}
HEAD = {"res_cd", "res_msg", "res_en_msg", "tno", "amount", "order_no", "pay_method", "app_time", "escw_yn"}


async def test_card_approval_answers_the_card_fields(kcp: Kcp) -> None:
    """A card approval answers the common head and every card field; tax is amount/11 VAT."""
    auth = kcp.auth("PACA", 1004)
    answer = await kcp.approve(auth)
    assert answer["res_cd"] == "0000"
    assert answer["res_msg"] == "정상처리"
    assert answer["res_en_msg"] == "processing completed"
    assert set(answer) >= HEAD | CARD_FIELDS
    assert re.fullmatch(r"\d{14}", answer["tno"])
    assert re.fullmatch(r"\d{8}", answer["app_no"])
    assert answer["app_time"] == "20260302100000"
    assert answer["order_no"] == auth["ordr_idxx"]
    assert answer["pay_method"] == "PACA"
    assert answer["amount"] == answer["card_mny"] == "1004"
    assert answer["card_no"] == "411111******1111"
    assert answer["card_cd"] == "CCBC"
    assert answer["acqu_cd"] == "CCBC"
    assert answer["res_tax_flag"] == "TG01"
    assert (answer["res_tax_mny"], answer["res_vat_mny"], answer["res_free_mny"]) == ("913", "91", "0")
    assert answer["coupon_mny"] == "0"
    assert answer["escw_yn"] == "N"


@pytest.mark.parametrize(
    ("pay_type", "fields"),
    [
        ("PABK", {"bank_name", "bank_code", "bk_mny"}),
        ("PAVC", {"bankname", "bankcode", "account", "depositor", "va_date"}),
        ("PAMC", {"commid", "mobile_no", "van_cd"}),
        ("PAPT", {"pnt_issue", "pnt_app_no", "pnt_app_time", "pnt_amount", "add_pnt", "use_pnt", "rsv_pnt"}),
        ("PATK", {"tk_van_code", "tk_app_no", "tk_app_time"}),
    ],
)
async def test_each_pay_type_answers_its_own_fields(kcp: Kcp, pay_type: str, fields: set[str]) -> None:
    """Transfer, virtual account, phone, point and gift approvals answer their method's fields."""
    answer = await kcp.pay(pay_type, 2000)
    assert HEAD | fields <= set(answer)
    assert answer["pay_method"] == pay_type
    assert answer["amount"] == "2000"


async def test_transfer_answers_a_bk_bank_code(kcp: Kcp) -> None:
    """REST results name banks ``BK`` + 2 digits (kcp.md §11.6)."""
    answer = await kcp.pay("PABK", 2000)
    assert (answer["bank_code"], answer["bank_name"]) == ("BK04", "국민은행")


async def test_vbank_approval_opens_a_waiting_account(kcp: Kcp, sandbox: Sandbox) -> None:
    """A virtual account starts with T (like stage), has a deadline and waits for its deposit."""
    answer = await kcp.pay("PAVC", 15000)
    assert answer["res_cd"] == "0000"
    assert re.fullmatch(r"T\d{13}", answer["account"])
    assert (answer["bankcode"], answer["bankname"]) == ("BK20", "우리은행")
    assert answer["va_date"] == "20260309235959"
    account = sandbox.ledger.get("vbank", answer["account"])
    assert account is not None
    assert account["status"] == "waiting"
    assert account["deposited"] == 0
    assert account["bank_code"] == "20"
    assert account["tno"] == answer["tno"]
    assert account["amount"] == 15000
    transaction = kcp.transaction(answer["tno"])
    assert transaction["status"] == "STSR"
    assert transaction["deposited"] == 0
    assert transaction["vbank_account"] == answer["account"]


async def test_approval_records_the_transaction_and_uses_the_auth(kcp: Kcp, sandbox: Sandbox) -> None:
    """An approval stores the transaction (balance = amount, STSR) and marks the auth used."""
    auth = kcp.auth("PACA", 1004)
    answer = await kcp.approve(auth)
    transaction = kcp.transaction(answer["tno"])
    assert transaction["amount"] == transaction["rem_mny"] == 1004
    assert transaction["status"] == "STSR"
    assert transaction["site_cd"] == GENERAL
    assert transaction["cancels"] == []
    assert transaction["approval"]["app_no"] == answer["app_no"]
    stored = sandbox.ledger.get("auth", auth["enc_data"])
    assert stored is not None
    assert stored["used_by_tno"] == answer["tno"]


async def test_a_tampered_amount_is_refused_with_8059_and_changes_nothing(kcp: Kcp) -> None:
    """``ordr_mony`` must equal the authenticated amount (kcp.md §11.1 8059); the auth stays usable."""
    auth = kcp.auth("PACA", 50000)
    tampered = await kcp.approve(auth, ordr_mony="100")
    assert tampered["res_cd"] == "8059"
    assert "tno" not in tampered
    assert (await kcp.approve(auth))["res_cd"] == "0000"


async def test_an_order_number_mismatch_is_refused(kcp: Kcp) -> None:
    """``ordr_no`` must be the authenticated ``ordr_idxx``."""
    answer = await kcp.approve(kcp.auth(), ordr_no="SOMEONE-ELSES")
    assert answer["res_cd"] == "9107"


async def test_a_pay_type_mismatch_is_refused(kcp: Kcp) -> None:
    """``pay_type`` must be what the buyer paid with."""
    answer = await kcp.approve(kcp.auth("PACA"), pay_type="PABK")
    assert answer["res_cd"] == "9108"


async def test_an_auth_approves_once(kcp: Kcp) -> None:
    """Approving the same enc_data twice answers 9106: nothing is charged twice."""
    auth = kcp.auth()
    assert (await kcp.approve(auth))["res_cd"] == "0000"
    again = await kcp.approve(auth)
    assert again["res_cd"] == "9106"
    assert len(kcp.sandbox.ledger.all("transaction")) == 1


async def test_unknown_or_mismatched_tokens_are_refused(kcp: Kcp) -> None:
    """enc_data the windows never issued, or with another enc_info, answers 9106."""
    auth = kcp.auth()
    assert (await kcp.approve(auth, enc_data="forged__"))["res_cd"] == "9106"
    assert (await kcp.approve(auth, enc_info="other__"))["res_cd"] == "9106"


async def test_an_auth_of_another_site_is_refused(kcp: Kcp) -> None:
    """An auth made for T0000 cannot be approved with T0007's credentials."""
    auth = kcp.auth()
    answer = await kcp.call(APPROVE, {**kcp.approval_request(auth), **kcp.creds("T0007")})
    assert answer["res_cd"] == "9106"


async def test_missing_ordr_mony_is_named(kcp: Kcp) -> None:
    """A payment approval without ordr_mony answers 9104 naming it."""
    request = kcp.approval_request(kcp.auth())
    del request["ordr_mony"]
    answer = await kcp.call(APPROVE, request)
    assert answer["res_cd"] == "9104"
    assert "ordr_mony" in answer["res_msg"]


async def test_a_card_decline_answers_its_code_and_uses_the_auth(kcp: Kcp) -> None:
    """A card that declines (scenario limit_exceeded) answers 8016 and spends the enc_data."""
    auth = kcp.auth(scenario="limit_exceeded")
    declined = await kcp.approve(auth)
    assert declined["res_cd"] == "8016"
    assert "tno" not in declined
    assert (await kcp.approve(auth))["res_cd"] == "9106"
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_an_injected_decline_leaves_the_auth_usable(kcp: Kcp) -> None:
    """A decline forced by X-Sandbox-Fault changes nothing; the same auth approves afterwards."""
    auth = kcp.auth()
    declined = await kcp.approve(auth, headers={"X-Sandbox-Fault": "decline:8041"})
    assert declined["res_cd"] == "8041"
    assert (await kcp.approve(auth))["res_cd"] == "0000"


async def test_an_escrow_payment_answers_escw_yn_y(kcp: Kcp) -> None:
    """An escrow window auth approves with ``escw_yn=Y``."""
    answer = await kcp.pay("PACA", 30000, site_cd="T0007", escw_used="Y")
    assert answer["escw_yn"] == "Y"


async def test_an_easy_pay_answers_card_pay_method(kcp: Kcp) -> None:
    """A card paid through an easy-pay wallet says which (``card_pay_method``)."""
    selection = {"card_cd": "CCKM", "card_no": "540926******1234", "card_pay_method": "KAKAO_MONEY"}
    answer = await kcp.pay("PACA", 1000, selection=selection)
    assert answer["card_pay_method"] == "KAKAO_MONEY"
    assert answer["card_name"] == "KB국민카드"


async def test_batch_key_issuance_answers_a_key_and_card_but_no_tno(kcp: Kcp, sandbox: Sandbox) -> None:
    """tran_cd 00300001 answers a 16-digit batch_key and card fields, no tno (kcp.md §6.3)."""
    auth = kcp.batch_auth()
    answer = await kcp.approve(auth)
    assert answer["res_cd"] == "0000"
    assert "tno" not in answer
    assert re.fullmatch(r"\d{16}", answer["batch_key"])
    expected = {"card_cd", "card_name", "card_bank_cd", "card_bin_type_01", "card_bin_type_02", "van_tx_id"}
    assert expected | {"join_cd"} <= set(answer)
    assert (answer["card_cd"], answer["card_name"]) == ("CCSS", "삼성카드")
    key = sandbox.ledger.get("batch_key", answer["batch_key"])
    assert key is not None
    assert (key["site_cd"], key["group_id"], key["deleted_at"]) == (BATCH, GROUP_ID, "")
    assert sandbox.ledger.all("transaction") == []
    assert (await kcp.approve(auth))["res_cd"] == "9106"


async def test_batch_key_issuance_for_an_unknown_group_is_refused_with_5209(kcp: Kcp) -> None:
    """A group id the site does not have answers 5209 (kcp.md §6)."""
    answer = await kcp.approve(kcp.batch_auth(group_id="A52Q79999999"))
    assert answer["res_cd"] == "5209"
    assert "batch_key" not in answer


async def test_batch_key_issuance_refuses_a_lost_card(kcp: Kcp) -> None:
    """A card that cannot hold a key (lost/stolen) is refused at issuance."""
    answer = await kcp.approve(kcp.batch_auth(scenario="stolen_card"))
    assert answer["res_cd"] == "8041"
    assert kcp.sandbox.ledger.all("batch_key") == []


async def test_an_auth_is_approved_only_with_its_own_tran_cd(kcp: Kcp) -> None:
    """A payment auth sent as batch issuance (or the reverse) answers 9106."""
    assert (await kcp.approve(kcp.auth(), tran_cd="00300001"))["res_cd"] == "9106"
    assert (
        await kcp.approve(kcp.batch_auth(), tran_cd="00100000", ordr_mony="0", ordr_no="x", pay_type="AUTH")
    )["res_cd"] == "9106"


async def test_an_unknown_tran_cd_is_refused(kcp: Kcp) -> None:
    """tran_cd other than 00100000/00300001 answers 9105 naming it."""
    answer = await kcp.approve(kcp.auth(), tran_cd="00200000")
    assert answer["res_cd"] == "9105"
    assert "tran_cd" in answer["res_msg"]
