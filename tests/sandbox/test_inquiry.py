"""Inquiry ``/std/inquery`` (kcp.md §5): status, balance and the approval's details."""

from __future__ import annotations

from homeport.sandbox.clock import ManualClock
from tests.sandbox.kcp import GENERAL, INQUIRY, Kcp


async def test_an_approved_card_is_stsr_with_its_card_details(kcp: Kcp) -> None:
    """Inquiry answers the amount, full balance, STSR and the approval's card details."""
    paid = await kcp.pay("PACA", 1004)
    answer = await kcp.inquire(paid["tno"], "PACA")
    assert answer["res_cd"] == "0000"
    assert (answer["tno"], answer["order_no"], answer["pay_method"]) == (
        paid["tno"],
        paid["order_no"],
        "PACA",
    )
    assert (answer["amount"], answer["rem_mny"], answer["app_time"]) == ("1004", "1004", paid["app_time"])
    assert (answer["stat_ca_cd"], answer["shop_status"], answer["canc_card_yn"], answer["can_time"]) == (
        "STSR",
        "STSR",
        "N",
        "",
    )
    for name in ("card_no", "card_name", "card_cd", "quota", "noinf", "app_no"):
        assert answer[name] == paid[name], name


async def test_a_partially_cancelled_card_is_stpc(kcp: Kcp, sandbox_clock: ManualClock) -> None:
    """After a partial cancel: STPC, the balance left, canc_card_yn Y and the cancel time."""
    paid = await kcp.pay("PACA", 1004)
    sandbox_clock.advance(60)
    cancelled = await kcp.cancel(paid["tno"], "STPC", mod_mny="4", rem_mny="1004")
    answer = await kcp.inquire(paid["tno"])
    assert (answer["stat_ca_cd"], answer["rem_mny"], answer["canc_card_yn"]) == ("STPC", "1000", "Y")
    assert answer["can_time"] == cancelled["canc_time"] == "20260302100100"


async def test_a_fully_cancelled_card_is_stsc(kcp: Kcp) -> None:
    """After STSC: STSC and nothing left."""
    paid = await kcp.pay("PACA", 1004)
    await kcp.cancel(paid["tno"])
    answer = await kcp.inquire(paid["tno"])
    assert (answer["stat_ca_cd"], answer["shop_status"], answer["rem_mny"]) == ("STSC", "STSC", "0")


async def test_transfer_and_phone_use_their_own_status_fields(kcp: Kcp) -> None:
    """Transfers answer stat_bk_cd/canc_bk_yn/bk_rem_mny; phone payments stat_hp_cd/hp_rem_mny."""
    transfer = await kcp.pay("PABK", 3000)
    answer = await kcp.inquire(transfer["tno"], "PABK")
    assert (answer["stat_bk_cd"], answer["canc_bk_yn"], answer["bk_rem_mny"]) == ("STSR", "N", "3000")
    phone = await kcp.pay("PAMC", 3000)
    answer = await kcp.inquire(phone["tno"], "PAMC")
    assert (answer["stat_hp_cd"], answer["hp_rem_mny"]) == ("STSR", "3000")
    assert answer["hp_app_time"] == phone["app_time"]


async def test_a_virtual_account_reports_what_was_deposited(kcp: Kcp) -> None:
    """A vbank inquiry answers the account and the sum deposited so far."""
    paid = await kcp.pay("PAVC", 20000)
    before = await kcp.inquire(paid["tno"], "PAVC")
    assert (before["account"], before["shop_status"], before["ipgm_mnyx"]) == (paid["account"], "STSR", "0")
    kcp.deposit(paid["tno"])
    assert (await kcp.inquire(paid["tno"], "PAVC"))["ipgm_mnyx"] == "20000"


async def test_the_signature_covers_pay_type(kcp: Kcp) -> None:
    """kcp_sign_data is over site_cd^tno^pay_type: a signature over another pay_type answers 9102."""
    paid = await kcp.pay("PACA", 1004)
    request = kcp.inquiry_request(paid["tno"], "PACA")
    request["kcp_sign_data"] = kcp.sign(GENERAL, paid["tno"], "PABK")
    assert (await kcp.call(INQUIRY, request))["res_cd"] == "9102"


async def test_a_wrong_pay_type_answers_9108(kcp: Kcp) -> None:
    """Inquiring a card payment as a transfer answers 9108."""
    paid = await kcp.pay("PACA", 1004)
    assert (await kcp.inquire(paid["tno"], "PABK"))["res_cd"] == "9108"


async def test_an_unknown_tno_answers_9110(kcp: Kcp) -> None:
    """A tno never approved answers 9110."""
    assert (await kcp.inquire("26030200000000"))["res_cd"] == "9110"
