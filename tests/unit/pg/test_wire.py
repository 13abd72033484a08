"""KCP request builders (fields of kcp.md, all strings) and response readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from homeport.pg.kcp import wire

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kcp"
SITE = wire.Site("T0000", "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----")


def fixture_request(name: str) -> dict[str, str]:
    return dict(json.loads((FIXTURES / name).read_text(encoding="utf-8"))["request"])


def all_strings(body: dict[str, Any]) -> bool:
    return all(isinstance(k, str) and isinstance(v, str) for k, v in body.items())


def test_register_has_the_golden_fields() -> None:
    body = wire.register_request(
        SITE,
        order_id="ORD-1",
        amount=1004,
        name="운동화",
        pay_method="CARD",
        return_url="https://shop.example/kcp/return",
        escrow=False,
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("register.json"))
    assert body["good_mny"] == "1004"
    assert body["Ret_URL"] == "https://shop.example/kcp/return"
    assert body["escw_used"] == "N"


def test_approval_has_the_golden_fields() -> None:
    body = wire.approval_request(
        SITE, enc_data="E", enc_info="I", amount=1004, order_id="ORD-1", pay_type="PACA"
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("approval_card.json"))
    assert body["tran_cd"] == "00100000"
    assert (body["ordr_mony"], body["ordr_no"], body["pay_type"]) == ("1004", "ORD-1", "PACA")


def test_batch_key_issuance_has_no_amount() -> None:
    body = wire.batch_key_request(SITE, enc_data="E", enc_info="I")

    assert set(body) == set(fixture_request("batch_key_issue.json"))
    assert body["tran_cd"] == "00300001"


def test_batch_pay_has_the_golden_fields() -> None:
    body = wire.batch_pay_request(
        SITE,
        batch_key="2304051168518034",
        group_id="A52Q71000489",
        order_id="ORD-1",
        amount=1100,
        name="정기구독 1개월",
        buyer=wire.Buyer("홍길동", "buyer@example.com", "01012345678"),
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("batch_pay.json"))
    assert body["card_tx_type"] == "11511000"
    assert body["amount"] == body["card_mny"] == "1100"
    assert (body["currency"], body["quota"], body["pay_method"]) == ("410", "00", "CARD")


def test_keyin_pay_sends_the_card_fields_of_kcp_md() -> None:
    body = wire.keyin_pay_request(
        SITE,
        card_no="4111-1111-1111-1111",
        expiry_yymm="3012",
        birth="900101",
        password_2digit="12",
        order_id="ORD-1",
        amount=50000,
        name="상품",
        installment_months=3,
    )

    assert all_strings(body)
    assert body["card_tx_type"] == "11121000"
    assert body["card_no"] == "4111111111111111"
    assert (body["card_expiry"], body["card_taxno"], body["card_pwd"]) == ("3012", "900101", "12")
    assert body["quota"] == "03"


def test_keyin_without_birth_and_password_is_the_unauthenticated_kind() -> None:
    body = wire.keyin_pay_request(
        SITE,
        card_no="4111111111111111",
        expiry_yymm="3012",
        birth=None,
        password_2digit=None,
        order_id="ORD-1",
        amount=1000,
        name="상품",
    )

    assert "card_taxno" not in body
    assert "card_pwd" not in body


def test_keyin_batch_key_and_delete() -> None:
    issue = wire.keyin_batch_key_request(
        SITE,
        card_no="4111111111111111",
        expiry_yymm="3012",
        birth="900101",
        password_2digit="12",
        group_id="A52Q71000489",
    )
    delete = wire.batch_delete_request(SITE, batch_key="2304051168518034", group_id="A52Q71000489")

    assert issue["card_tx_type"] == "12100000"
    assert issue["group_id"] == "A52Q71000489"
    assert delete == {
        **SITE.head(),
        "pay_method": "BATCH",
        "tx_type": "10005010",
        "batch_key": "2304051168518034",
        "group_id": "A52Q71000489",
    }


def test_partial_cancel_sends_the_balance_before_the_cancel() -> None:
    body = wire.cancel_request(
        SITE,
        sign_data="SIG",
        tno="20220609985470",
        mod_type="STPC",
        reason="고객 요청 부분취소",
        amount=100,
        remaining_before=1004,
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("cancel_partial.json"))
    assert (body["mod_mny"], body["rem_mny"]) == ("100", "1004")
    assert body["kcp_sign_data"] == "SIG"


def test_full_cancel_sends_no_amounts() -> None:
    body = wire.cancel_request(SITE, sign_data="SIG", tno="1", mod_type="STSC")

    assert "mod_mny" not in body
    assert "rem_mny" not in body
    assert body["mod_type"] == "STSC"


@pytest.mark.parametrize(("mod_type", "sub_type"), [("STHD", "MDSC00"), ("STPD", "MDSC03")])
def test_vbank_refund_sends_the_refund_account(mod_type: str, sub_type: str) -> None:
    body = wire.cancel_request(
        SITE,
        sign_data="SIG",
        tno="1",
        mod_type=mod_type,
        amount=1000 if mod_type == "STPD" else None,
        remaining_before=5000 if mod_type == "STPD" else None,
        refund=wire.RefundTo("04", "123456789012", "홍길동"),
    )

    assert all_strings(body)
    assert body["mod_bankcode"] == "BK04"
    assert (body["mod_account"], body["mod_depositor"]) == ("123456789012", "홍길동")
    assert body["mod_sub_type"] == sub_type
    assert body["mod_comp_type"] == "MDCP01"


def test_vbank_issuance_has_the_golden_fields() -> None:
    """kcp.md §7: VCNT with va_txtype 41100000, va_mny = amount, BKxx, va_date, va_receipt_gubn 0."""
    body = wire.vbank_issue_request(
        SITE,
        order_id="ORD-1",
        amount=25000,
        name="가상계좌 상품",
        bank_digits="04",
        va_date="20260305235959",
        payer_name="홍길동",
        buyer=wire.Buyer("홍길동", "buyer@example.com", "01012345678"),
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("vbank_issue.json"))
    assert (body["pay_method"], body["va_txtype"], body["currency"]) == ("VCNT", "41100000", "410")
    assert body["amount"] == body["va_mny"] == "25000"
    assert (body["va_bankcode"], body["va_date"], body["va_receipt_gubn"]) == ("BK04", "20260305235959", "0")


def test_vbank_issuance_adds_the_tax_fields_it_is_given() -> None:
    body = wire.vbank_issue_request(
        SITE,
        order_id="ORD-1",
        amount=1000,
        name="면세 상품",
        bank_digits="04",
        va_date="20260305235959",
        payer_name="",
        buyer=wire.Buyer(),
        tax={"tax_flag": "TG02"},
    )

    assert body["tax_flag"] == "TG02"


def test_escrow_delivery_has_the_golden_fields() -> None:
    """kcp.md §4.2, §8: STE1 on the cancel endpoint with deli_numb and deli_corp."""
    body = wire.escrow_delivery_request(
        SITE, sign_data="SIG", tno="20260302985470", waybill="123456789012", courier="CJ대한통운"
    )

    assert all_strings(body)
    assert set(body) == set(fixture_request("escrow_delivery.json"))
    assert (body["mod_type"], body["deli_numb"], body["deli_corp"]) == ("STE1", "123456789012", "CJ대한통운")
    assert body["kcp_sign_data"] == "SIG"


def test_inquiry_and_sign_strings() -> None:
    body = wire.inquiry_request(SITE, sign_data="SIG", tno="1", pay_type="PACA")

    assert set(body) == set(fixture_request("inquiry_card.json"))
    assert wire.cancel_sign_string("T0000", "20210719000000", "STSC") == "T0000^20210719000000^STSC"
    assert wire.inquiry_sign_string("T0000", "20210719000000", "PACA") == "T0000^20210719000000^PACA"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2030-12", "3012"),
        ("203012", "3012"),
        ("3012", "3012"),
        ("2030-13", None),
        ("12/30", None),
        ("", None),
    ],
)
def test_card_expiry(given: str, expected: str | None) -> None:
    assert wire.card_expiry_yymm(given) == expected


def test_cancel_answers_are_read_in_both_spellings() -> None:
    rest = wire.read_cancel(
        {
            "res_cd": "0000",
            "tno": "1",
            "canc_time": "20220609160000",
            "mod_mny": "100",
            "rem_mny": "904",
            "mod_pcan_seq_no": "22060912345678",
        }
    )
    legacy = wire.read_cancel(
        {
            "res_cd": "0000",
            "tno": "1",
            "canc_time": "20220609160000",
            "panc_mod_mny": "100",
            "panc_rem_mny": "904",
            "mod_pcan_seq_no": "16082600006458",
        }
    )
    full = wire.read_cancel({"res_cd": "0000", "tno": "1", "canc_time": "20220609160000"})

    assert (rest.cancelled, rest.remaining, rest.sequence_no) == (100, 904, "22060912345678")
    assert (legacy.cancelled, legacy.remaining) == (100, 904)
    assert (full.cancelled, full.remaining, full.sequence_no) == (None, None, "")


def test_results_read_res_cd_or_registrations_code() -> None:
    assert wire.read_result({"res_cd": "8059", "res_msg": "불일치", "res_en_msg": "mismatch"}) == wire.Result(
        "8059", "불일치", "mismatch"
    )
    assert wire.read_result({"Code": "0000", "Message": "정상처리"}).ok
    assert wire.read_result({"res_cd": "V000"}).ok
    assert not wire.read_result({}).ok
    assert not wire.read_result({"res_cd": "8059"}).ok


def test_escrow_fields() -> None:
    assert wire.escrow_fields(True) == {"escw_used": "Y"}


def test_values_are_read_as_text_whatever_their_json_type() -> None:
    body = {"amount": 1004, "none": None, "list": [1]}

    assert wire.text(body, "amount") == "1004"
    assert wire.text(body, "none") == wire.text(body, "list") == wire.text(body, "absent") == ""
    assert wire.first_amount(body, "absent", "amount") == 1004


def test_inquiry_answers() -> None:
    found = wire.read_inquiry(
        {
            "tno": "1",
            "order_no": "O",
            "pay_method": "PABK",
            "amount": "1000",
            "bk_rem_mny": "400",
            "stat_bk_cd": "STPC",
        }
    )

    assert (found.amount, found.remaining, found.status, found.pay_type) == (1000, 400, "STPC", "PABK")
