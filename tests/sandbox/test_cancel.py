"""Cancels ``/gw/mod/v1/cancel``: full, partial, refund, escrow (kcp.md §4, §14.2)."""

from __future__ import annotations

import re

from tests.sandbox.kcp import CANCEL, GENERAL, Kcp

REFUND = {
    "mod_bankcode": "BK04",
    "mod_account": "12345678901234",
    "mod_depositor": "홍길동",
    "mod_comp_type": "MDCP01",
}


async def test_a_full_cancel_cancels_everything(kcp: Kcp) -> None:
    """STSC answers tno and canc_time; the transaction is STSC with nothing left."""
    paid = await kcp.pay("PACA", 1004)
    answer = await kcp.cancel(paid["tno"], "STSC")
    assert answer["res_cd"] == "0000"
    assert answer["tno"] == paid["tno"]
    assert answer["canc_time"] == "20260302100000"
    transaction = kcp.transaction(paid["tno"])
    assert (transaction["status"], transaction["rem_mny"]) == ("STSC", 0)
    assert [c["mod_mny"] for c in transaction["cancels"]] == [1004]


async def test_partial_cancels_then_a_full_cancel_keep_the_balance(kcp: Kcp) -> None:
    """rem_mny is the balance before each cancel and the answer's rem_mny the balance after;
    each partial cancel has its own numeric sequence number; STSC then cancels the rest."""
    paid = await kcp.pay("PACA", 1004)
    tno = paid["tno"]
    first = await kcp.cancel(tno, "STPC", mod_mny="100", rem_mny="1004")
    assert first["res_cd"] == "0000"
    assert (first["mod_mny"], first["rem_mny"], first["card_mod_mny"], first["coupon_mod_mny"]) == (
        "100",
        "904",
        "100",
        "0",
    )
    assert kcp.transaction(tno)["status"] == "STPC"
    second = await kcp.cancel(tno, "STPC", mod_mny="204", rem_mny="904")
    assert (second["mod_mny"], second["rem_mny"]) == ("204", "700")
    assert re.fullmatch(r"\d+", first["mod_pcan_seq_no"])
    assert re.fullmatch(r"\d+", second["mod_pcan_seq_no"])
    assert first["mod_pcan_seq_no"] != second["mod_pcan_seq_no"]
    assert (await kcp.cancel(tno, "STSC"))["res_cd"] == "0000"
    transaction = kcp.transaction(tno)
    assert (transaction["status"], transaction["rem_mny"]) == ("STSC", 0)
    assert [c["mod_mny"] for c in transaction["cancels"]] == [100, 204, 700]
    assert sum(c["mod_mny"] for c in transaction["cancels"]) == transaction["amount"]


async def test_a_partial_cancel_of_the_whole_balance_ends_the_transaction(kcp: Kcp) -> None:
    """Cancelling the last won partially leaves rem_mny 0 and status STSC."""
    paid = await kcp.pay("PACA", 500)
    answer = await kcp.cancel(paid["tno"], "STPC", mod_mny="500", rem_mny="500")
    assert answer["rem_mny"] == "0"
    assert kcp.transaction(paid["tno"])["status"] == "STSC"


async def test_cancelling_more_than_the_balance_is_refused_and_changes_nothing(kcp: Kcp) -> None:
    """mod_mny above the balance answers 8730; the transaction is untouched."""
    paid = await kcp.pay("PACA", 1004)
    before = kcp.transaction(paid["tno"])
    answer = await kcp.cancel(paid["tno"], "STPC", mod_mny="1005", rem_mny="1004")
    assert answer["res_cd"] == "8730"
    assert kcp.transaction(paid["tno"]) == before


async def test_a_wrong_rem_mny_is_refused(kcp: Kcp) -> None:
    """rem_mny must equal the stored balance before the cancel (kcp.md §4.1): 8731."""
    paid = await kcp.pay("PACA", 1004)
    await kcp.cancel(paid["tno"], "STPC", mod_mny="100", rem_mny="1004")
    answer = await kcp.cancel(paid["tno"], "STPC", mod_mny="100", rem_mny="1004")
    assert answer["res_cd"] == "8731"
    assert "904" in answer["res_msg"]
    assert kcp.transaction(paid["tno"])["rem_mny"] == 904


async def test_a_partial_cancel_needs_mod_mny_and_rem_mny(kcp: Kcp) -> None:
    """STPC without mod_mny (or rem_mny) answers 9104 naming it."""
    paid = await kcp.pay("PACA", 1004)
    answer = await kcp.cancel(paid["tno"], "STPC", rem_mny="1004")
    assert answer["res_cd"] == "9104"
    assert "mod_mny" in answer["res_msg"]
    answer = await kcp.cancel(paid["tno"], "STPC", mod_mny="100")
    assert "rem_mny" in answer["res_msg"]


async def test_a_cancel_with_a_bad_signature_is_refused(kcp: Kcp) -> None:
    """The signature must cover site_cd^tno^mod_type of this request: 9102 otherwise."""
    paid = await kcp.pay("PACA", 1004)
    request = kcp.cancel_request(paid["tno"], "STSC")
    request["kcp_sign_data"] = kcp.sign(GENERAL, paid["tno"], "STPC")
    assert (await kcp.call(CANCEL, request))["res_cd"] == "9102"
    request["kcp_sign_data"] = "not base64 at all!"
    assert (await kcp.call(CANCEL, request))["res_cd"] == "9102"
    del request["kcp_sign_data"]
    missing = await kcp.call(CANCEL, request)
    assert missing["res_cd"] == "9104"
    assert "kcp_sign_data" in missing["res_msg"]
    assert kcp.transaction(paid["tno"])["status"] == "STSR"


async def test_cancelling_twice_answers_8133(kcp: Kcp) -> None:
    """A fully cancelled transaction answers 8133 to STSC and STPC."""
    paid = await kcp.pay("PACA", 1004)
    await kcp.cancel(paid["tno"], "STSC")
    assert (await kcp.cancel(paid["tno"], "STSC"))["res_cd"] == "8133"
    assert (await kcp.cancel(paid["tno"], "STPC", mod_mny="1", rem_mny="0"))["res_cd"] == "8133"


async def test_partial_cancels_are_refused_where_not_allowed(kcp: Kcp) -> None:
    """A card with partcanc_yn=N, or a phone payment, answers 8732 to STPC."""
    card = {"card_cd": "CCBC", "card_no": "411111******1111", "partcanc_yn": "N"}
    paid = await kcp.pay("PACA", 1004, selection=card)
    assert paid["partcanc_yn"] == "N"
    assert (await kcp.cancel(paid["tno"], "STPC", mod_mny="100", rem_mny="1004"))["res_cd"] == "8732"
    phone = await kcp.pay("PAMC", 1004)
    assert (await kcp.cancel(phone["tno"], "STPC", mod_mny="100", rem_mny="1004"))["res_cd"] == "8732"
    assert (await kcp.cancel(phone["tno"], "STSC"))["res_cd"] == "0000"


async def test_an_unknown_tno_answers_9110(kcp: Kcp) -> None:
    """A tno never approved, or another site's, answers 9110."""
    assert (await kcp.cancel("26030200000000", "STSC"))["res_cd"] == "9110"
    paid = await kcp.pay("PACA", 1004)
    assert (await kcp.cancel(paid["tno"], "STSC", site_cd="T0007"))["res_cd"] == "9110"


async def test_an_unsupported_mod_type_is_named(kcp: Kcp) -> None:
    """mod_type values the sandbox does not implement answer 9105 naming them."""
    paid = await kcp.pay("PACA", 1004)
    answer = await kcp.cancel(paid["tno"], "STMR")
    assert answer["res_cd"] == "9105"
    assert "STMR" in answer["res_msg"]


async def test_cancelling_a_vbank_before_deposit_closes_the_account(kcp: Kcp) -> None:
    """STSC on a waiting virtual account cancels it and closes the account."""
    paid = await kcp.pay("PAVC", 20000)
    assert (await kcp.cancel(paid["tno"], "STSC"))["res_cd"] == "0000"
    account = kcp.sandbox.ledger.get("vbank", paid["account"])
    assert account is not None
    assert account["status"] == "cancelled"
    assert kcp.transaction(paid["tno"])["status"] == "STSC"


async def test_a_deposited_vbank_is_refunded_not_cancelled(kcp: Kcp) -> None:
    """After a deposit STSC answers 8733, and a refund before any deposit answers 8734."""
    waiting = await kcp.pay("PAVC", 20000)
    before = await kcp.cancel(waiting["tno"], "STHD", mod_sub_type="MDSC00", **REFUND)
    assert before["res_cd"] == "8734"
    kcp.deposit(waiting["tno"])
    assert (await kcp.cancel(waiting["tno"], "STSC"))["res_cd"] == "8733"


async def test_a_vbank_refund_needs_the_refund_account(kcp: Kcp) -> None:
    """STHD without mod_account answers 9104 naming it; a wrong mod_sub_type answers 9105."""
    paid = await kcp.pay("PAVC", 20000)
    kcp.deposit(paid["tno"])
    fields = {k: v for k, v in REFUND.items() if k != "mod_account"}
    missing = await kcp.cancel(paid["tno"], "STHD", mod_sub_type="MDSC00", **fields)
    assert missing["res_cd"] == "9104"
    assert "mod_account" in missing["res_msg"]
    wrong = await kcp.cancel(paid["tno"], "STHD", mod_sub_type="MDSC03", **REFUND)
    assert wrong["res_cd"] == "9105"


async def test_a_vbank_refund_records_the_refund_account(kcp: Kcp) -> None:
    """STPD then STHD refund a deposited account; each cancel entry keeps the refund account."""
    paid = await kcp.pay("PAVC", 20000)
    kcp.deposit(paid["tno"])
    partial = await kcp.cancel(
        paid["tno"], "STPD", mod_sub_type="MDSC03", mod_mny="5000", rem_mny="20000", **REFUND
    )
    assert (partial["res_cd"], partial["mod_mny"], partial["rem_mny"]) == ("0000", "5000", "15000")
    full = await kcp.cancel(paid["tno"], "STHD", mod_sub_type="MDSC00", **REFUND)
    assert full["res_cd"] == "0000"
    transaction = kcp.transaction(paid["tno"])
    assert (transaction["status"], transaction["rem_mny"]) == ("STSC", 0)
    assert [c["mod_mny"] for c in transaction["cancels"]] == [5000, 15000]
    refund = transaction["cancels"][0]["refund"]
    assert refund == {**REFUND, "mod_sub_type": "MDSC03"}


async def test_after_an_under_deposit_only_the_deposited_money_is_refunded(kcp: Kcp) -> None:
    """12,000 of 20,000 deposited: STPD of 15,000 answers 8730; STHD refunds the 12,000."""
    paid = await kcp.pay("PAVC", 20000)
    kcp.deposit(paid["tno"], 12000)

    too_much = await kcp.cancel(
        paid["tno"], "STPD", mod_sub_type="MDSC03", mod_mny="15000", rem_mny="20000", **REFUND
    )
    full = await kcp.cancel(paid["tno"], "STHD", mod_sub_type="MDSC00", **REFUND)

    assert too_much["res_cd"] == "8730"
    assert full["res_cd"] == "0000"
    assert [c["mod_mny"] for c in kcp.transaction(paid["tno"])["cancels"]] == [12000]


async def test_refunds_are_for_virtual_accounts_only(kcp: Kcp) -> None:
    """STHD on a card payment answers 9105."""
    paid = await kcp.pay("PACA", 1004)
    answer = await kcp.cancel(paid["tno"], "STHD", mod_sub_type="MDSC00", **REFUND)
    assert answer["res_cd"] == "9105"


async def test_an_escrow_delivery_is_recorded(kcp: Kcp) -> None:
    """STE1 with deli_numb and deli_corp is accepted for escrow payments, recorded, and answered
    with tno and canc_time; the balance stays."""
    paid = await kcp.pay("PACA", 30000, site_cd="T0007", escw_used="Y")
    answer = await kcp.cancel(
        paid["tno"], "STE1", site_cd="T0007", deli_numb="123456789012", deli_corp="CJ대한통운"
    )
    assert answer["res_cd"] == "0000"
    assert (answer["tno"], answer["canc_time"]) == (paid["tno"], "20260302100000")
    transaction = kcp.transaction(paid["tno"])
    assert (transaction["cancels"][-1]["deli_numb"], transaction["cancels"][-1]["deli_corp"]) == (
        "123456789012",
        "CJ대한통운",
    )
    assert (transaction["status"], transaction["rem_mny"]) == ("STSR", 30000)


async def test_an_escrow_delivery_needs_an_escrow_payment(kcp: Kcp) -> None:
    """STE1 on a payment made without escrow answers the sandbox's 8735."""
    plain = await kcp.pay("PACA", 30000)
    answer = await kcp.cancel(plain["tno"], "STE1", deli_numb="1", deli_corp="CJ대한통운")
    assert answer["res_cd"] == "8735"
    assert kcp.transaction(plain["tno"])["cancels"] == []


async def test_an_escrow_delivery_is_registered_once(kcp: Kcp) -> None:
    """A second STE1 answers 8736 (kcp.md names no mod_type that changes a delivery), and a
    cancelled escrow payment takes no delivery (8133)."""
    paid = await kcp.pay("PACA", 30000, site_cd="T0007", escw_used="Y")
    first = await kcp.cancel(paid["tno"], "STE1", site_cd="T0007", deli_numb="111", deli_corp="한진택배")
    assert first["res_cd"] == "0000"
    again = await kcp.cancel(paid["tno"], "STE1", site_cd="T0007", deli_numb="222", deli_corp="한진택배")
    assert again["res_cd"] == "8736"
    assert "111" in again["res_msg"]

    cancelled = await kcp.pay("PACA", 30000, site_cd="T0007", escw_used="Y")
    assert (await kcp.cancel(cancelled["tno"], site_cd="T0007"))["res_cd"] == "0000"
    late = await kcp.cancel(cancelled["tno"], "STE1", site_cd="T0007", deli_numb="333", deli_corp="기타")
    assert late["res_cd"] == "8133"


async def test_an_escrow_delivery_needs_the_waybill_and_the_courier(kcp: Kcp) -> None:
    """deli_numb and deli_corp are required (9104)."""
    paid = await kcp.pay("PACA", 30000, site_cd="T0007", escw_used="Y")
    answer = await kcp.cancel(paid["tno"], "STE1", site_cd="T0007", deli_corp="CJ대한통운")
    assert answer["res_cd"] == "9104"
    assert "deli_numb" in answer["res_msg"]
