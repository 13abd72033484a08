"""The one mapping of pay methods, cards, banks, times and approval answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homeport.pg.kcp import methods

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kcp"

#: homeport's pay methods (homeport.pg.base's docstring).
PAY_METHODS = (
    "card",
    "trans",
    "vbank",
    "phone",
    "point",
    "cultureland",
    "smartculture",
    "happymoney",
    "booknlife",
    "kakaopay",
    "naverpay",
    "payco",
    "samsung",
    "applepay",
    "lpay",
)


def response(name: str) -> dict[str, str]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {k: v.replace("<ordr_idxx>", "ORD-1") for k, v in data["response"].items()}


@pytest.mark.parametrize("pay_method", PAY_METHODS)
def test_the_table_is_total_for_every_homeport_pay_method(pay_method: str) -> None:
    found = methods.method(pay_method)

    assert found is not None
    assert found.register in ("CARD", "BANK", "VCNT", "MOBX", "TPNT", "GIFT")
    assert found.pay_type in ("PACA", "PABK", "PAVC", "PAMC", "PAPT", "PATK")
    assert len(found.pc_code) == 12
    assert set(found.pc_code) <= {"0", "1"}
    assert found.action_result
    if found.register in ("TPNT", "GIFT"):
        assert found.van_code
    assert methods.window_fields(pay_method, mobile=True)["pay_method"] == found.register
    assert methods.window_fields(pay_method, mobile=False)["pay_method"] == found.pc_code
    assert methods.window_fields(pay_method, mobile=True)["currency"] == "410"


def test_kcp_md_codes() -> None:
    assert methods.METHODS["card"].pc_code == "100000000000"
    assert methods.METHODS["trans"].action_result == "acnt"
    assert methods.METHODS["vbank"].pay_type == "PAVC"
    assert methods.METHODS["phone"].register == "MOBX"
    assert methods.METHODS["happymoney"].van_code == "SCHM"
    assert methods.METHODS["booknlife"].van_code == "SCBL"
    assert methods.METHODS["cultureland"].van_code == "SCCL"


def test_easy_pays_are_card_payments_with_a_provider() -> None:
    for pay_method in ("kakaopay", "naverpay", "payco", "samsung", "applepay", "lpay"):
        found = methods.METHODS[pay_method]
        assert found.pay_type == "PACA"
        assert found.emb_pg_provider
        assert methods.window_fields(pay_method, mobile=True)[found.direct_field] == "Y"
    assert methods.emb_pg_provider_of("KAKAO_MONEY") == "kakaopay"
    assert methods.emb_pg_provider_of("") is None


def test_billing_window_fields() -> None:
    assert methods.window_fields("billing", mobile=True) == {
        "pay_method": "AUTH",
        "ActionResult": "batch",
        "currency": "410",
    }
    assert methods.window_fields("billing", mobile=False)["pay_method"] == "AUTH:CARD"


def test_tax_fields() -> None:
    assert methods.tax_fields(1100) == {"tax_flag": "TG01"}
    assert methods.tax_fields(1100, 1100) == {"tax_flag": "TG02"}
    mixed = methods.tax_fields(2100, 1000)
    assert mixed["tax_flag"] == "TG03"
    assert sum(int(mixed[k]) for k in ("comm_tax_mny", "comm_vat_mny", "comm_free_mny")) == 2100


def test_card_companies_map_to_imports_codes() -> None:
    assert methods.card_company("CCBC") == ("361", "BC카드")
    assert methods.card_company("CCKM")[0] == "381"
    assert methods.card_company("CCDI")[0] == "367"
    assert methods.card_company("CCSS")[0] == "365"
    assert methods.card_company("CCLG")[0] == "366"
    assert methods.card_company("CCBC", "비씨카드") == ("361", "비씨카드")  # KCP's name wins
    assert methods.card_company("CCZZ") == (None, "CCZZ")  # unknown codes pass through


def test_banks_both_ways() -> None:
    assert methods.bank_from_kcp("BK04").code == "004"
    assert methods.bank_from_kcp("04").code == "004"
    assert methods.bank_from_kcp("26").code == "088"
    assert methods.bank_from_kcp("BK04", "국민").name == "국민"
    assert methods.kcp_bank_from_imp("004") == "04"
    assert methods.kcp_bank_from_imp("088") == "88"
    assert methods.kcp_bank_from_imp("088", vbank=True) == "26"
    assert methods.kcp_bank_from_imp("999") is None
    assert methods.kcp_bank_from_imp("abc") is None
    for kcp, (imp, _name) in methods.BANKS.items():
        assert methods.bank_from_kcp("BK" + kcp).code == imp
        assert methods.kcp_bank_from_imp(imp) in (kcp, "88")


def test_kcp_times_are_kst() -> None:
    assert methods.kcp_time_to_unix("20260101090000") == 1_767_225_600  # 00:00 UTC
    assert methods.kcp_time_to_unix("20260101", end_of_day=True) == 1_767_225_600 - 9 * 3600 + 86_399
    assert methods.unix_to_kcp_time(1_767_225_600) == "20260101090000"
    assert methods.kcp_time_to_unix("") is None
    assert methods.kcp_time_to_unix("20261399000000") is None


def test_a_card_approval_answer_becomes_approved() -> None:
    approved = methods.approved_from(
        response("approval_card.json"), tno="20220609985470", amount=1004, pay_method="card"
    )

    assert approved.pg_tid == "20220609985470"
    assert approved.amount == 1004
    assert approved.approved_at == methods.kcp_time_to_unix("20220609153012")
    assert approved.approval_number == "30012345"
    assert approved.card is not None
    assert approved.card.company_code == "361"
    assert approved.card.masked_number == "411111******1111"
    assert approved.card.card_type == 0
    assert approved.card.installment_months == 0
    assert approved.partial_cancel_allowed
    assert not approved.escrow
    assert approved.emb_pg_provider is None


def test_card_details_read_installments_check_cards_and_kakao_bank() -> None:
    body = {
        **response("batch_pay.json"),
        "quota": "03",
        "card_bin_type_02": "1",
        "card_cd": "CCKM",
        "isp_issuer_cd": "KM90",
        "partcanc_yn": "N",
        "escw_yn": "Y",
        "card_pay_method": "KAKAO_MONEY",
    }

    approved = methods.approved_from(body, tno="1", amount=1100, pay_method="card")

    assert approved.card is not None
    assert approved.card.installment_months == 3
    assert approved.card.card_type == 1
    assert approved.card.company_code == "381"
    assert approved.card.issuer_code == "090"
    assert not approved.partial_cancel_allowed
    assert approved.escrow
    assert approved.emb_pg_provider == "kakaopay"


def test_a_vbank_answer_becomes_a_virtual_account() -> None:
    body = {
        "res_cd": "0000",
        "tno": "1",
        "pay_method": "PAVC",
        "amount": "5000",
        "app_time": "20260302100000",
        "bankcode": "BK20",
        "bankname": "우리은행",
        "account": "T1109260001857",
        "depositor": "한국사이버결제",
        "va_date": "20260309235959",
    }

    approved = methods.approved_from(body, tno="1", amount=5000, pay_method="vbank")

    account = approved.virtual_account
    assert account is not None
    assert (account.bank_code, account.bank_name, account.number) == ("020", "우리은행", "T1109260001857")
    assert account.holder == "한국사이버결제"
    assert account.due_at == methods.kcp_time_to_unix("20260309235959")
    assert account.issued_at == approved.approved_at > 0


#: 2026-03-05 23:59:59 KST, the deadline of the golden vbank_issue.json.
DUE = 1_772_722_799


def test_a_vbank_issued_by_api_fills_what_kcp_leaves_out() -> None:
    """kcp.md §7's answer has no deadline and no time: the asked deadline stands in, times are 0."""
    assert methods.kcp_time_to_unix("20260305235959") == DUE
    approved = methods.issued_virtual_account(
        response("vbank_issue.json"), tno="20260302985470", amount=25000, bank_digits="04", due_at=DUE
    )

    assert (approved.pg_tid, approved.amount, approved.pay_method) == ("20260302985470", 25000, "vbank")
    assert approved.approved_at == 0
    account = approved.virtual_account
    assert account is not None
    assert (account.bank_code, account.bank_name, account.number) == ("004", "국민은행", "T1109260001857")
    assert account.holder == "한국사이버결제"
    assert (account.due_at, account.issued_at) == (DUE, 0)

    bare = methods.issued_virtual_account(
        {"res_cd": "V000", "tno": "1", "account": "T1"}, tno="1", amount=1, bank_digits="26", due_at=5
    )
    assert bare.virtual_account is not None
    assert (bare.virtual_account.bank_code, bare.virtual_account.bank_name) == ("088", "신한은행")
    answered = methods.issued_virtual_account(
        {**response("vbank_issue.json"), "va_date": "20260309235959", "app_time": "20260302100000"},
        tno="1",
        amount=1,
        bank_digits="04",
        due_at=5,
    )
    assert answered.virtual_account is not None
    assert answered.virtual_account.due_at == methods.kcp_time_to_unix("20260309235959")
    assert answered.virtual_account.issued_at == answered.approved_at > 0


@pytest.mark.parametrize(
    ("company", "code", "deli_corp"),
    [
        ("CJGLS", "CJGLS", "CJ대한통운"),
        ("hanjin", "HANJIN", "한진택배"),
        ("EPOST", "EPOST", "우체국택배"),
        ("HYUNDAI", "HYUNDAI", "롯데택배"),
        ("KGB", "KGB", "로젠택배"),
        ("ETC", "ETC", "기타"),
        ("NOSUCH", "ETC", "기타"),
        ("", "ETC", "기타"),
    ],
)
def test_couriers_are_imports_codes_sent_by_name(company: str, code: str, deli_corp: str) -> None:
    """iamport-v1.md §4.5: unknown carrier codes count as ETC; kcp.md has no courier code list."""
    assert methods.courier_code(company) == code
    assert methods.deli_corp(company) == deli_corp


def test_every_carrier_code_of_the_contract_has_a_courier_name() -> None:
    """iamport-v1.md §4.5's carrier codes (LOGEN and KOREX deprecated), each with a name."""
    contract = [
        "HYUNDAI",
        "HANARO",
        "SAGAWA",
        "KGB",
        "YELLOWCAP",
        "DONGBU",
        "EPOST",
        "CJGLS",
        "HANJIN",
        "DAESIN",
        "REGISTPOST",
        "CHUNIL",
        "ILYANG",
        "CVSNET",
        "KDEXP",
        "HONAM",
        "HDEXP",
        "ETC",
        "LOGEN",
        "KOREX",
    ]
    assert set(contract) == set(methods.COURIERS)
    assert all(methods.COURIERS.values())


def test_a_transfer_answer_names_the_bank() -> None:
    body = {
        "res_cd": "0000",
        "pay_method": "PABK",
        "bank_code": "BK04",
        "bank_name": "국민은행",
        "app_time": "20260302100000",
    }

    approved = methods.approved_from(body, tno="1", amount=1000, pay_method="trans")

    assert approved.bank is not None
    assert approved.bank.code == "004"
    assert approved.bank.name == "국민은행"
