"""KCP's window order forms: every request_pay option in KCP's field names, mobile and PC
(kcp.md §10.1, §10.2, §8; the fields kcp.md does not name are the sandbox's, decision 0007)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from homeport.pg.base import Buyer, CartLine, PcWindow, TradeRegistration, TradeRequest, WindowOptions
from homeport.pg.kcp import KcpConnector, KcpCredentials
from homeport.pg.kcp.environments import PRODUCTION_BASE_URL, STAGE_BASE_URL, pc_script_url
from homeport.pg.kcp.windows import encoding_filter_url, mobile_form, pc_form
from tests.unit.pg.support import Reply, StubKcp

ORDER = TradeRequest(
    order_id="ORD-1",
    amount=60000,
    name="의자",
    pay_method="card",
    return_url="https://homeport.test/checkout/v1/return/imp_1",
    buyer=Buyer(name="홍길동", email="hong@example.com", tel="01012345678"),
)
PAY_URL = "https://testsmpay.kcp.co.kr/pay/mobileGW.kcp"


def mobile(request: TradeRequest = ORDER) -> dict[str, str]:
    return mobile_form("T0000", request, approval_key="KEY", trace_no="T0000TRACE00001", pay_url=PAY_URL)


def both(**options: Any) -> list[dict[str, str]]:
    """The mobile and the PC form of ORDER with these window options."""
    request = replace(ORDER, options=WindowOptions(**options))
    return [mobile(request), pc_form("T0000", request)]


def test_the_mobile_form_goes_through_kcps_utf8_filter_with_pay_url_as_a_field() -> None:
    form = mobile()

    assert (
        encoding_filter_url(PAY_URL)
        == "https://testsmpay.kcp.co.kr/pay/jsp/encodingFilter/encodingFilter.jsp"
    )
    assert form["encoding_trans"] == "UTF-8"
    assert form["PayUrl"] == PAY_URL
    assert (form["approval_key"], form["traceNo"], form["Ret_URL"]) == (
        "KEY",
        "T0000TRACE00001",
        ORDER.return_url,
    )
    assert (form["pay_method"], form["ActionResult"], form["currency"]) == ("CARD", "card", "410")
    assert (form["ordr_idxx"], form["good_mny"], form["good_name"]) == ("ORD-1", "60000", "의자")
    assert (form["buyr_name"], form["buyr_mail"], form["buyr_tel2"]) == (
        "홍길동",
        "hong@example.com",
        "01012345678",
    )


def test_the_pc_form_has_the_order_the_12_digit_method_and_empty_result_holders() -> None:
    form = pc_form("T0000", replace(ORDER, pay_method="vbank"))

    assert (form["site_cd"], form["ordr_idxx"], form["good_mny"], form["good_name"]) == (
        "T0000",
        "ORD-1",
        "60000",
        "의자",
    )
    assert (form["pay_method"], form["currency"], form["module_type"]) == ("001000000000", "410", "01")
    assert form["buyr_name"] == "홍길동"
    assert form["escw_used"] == "N"
    holders = (
        "res_cd",
        "res_msg",
        "enc_info",
        "enc_data",
        "ret_pay_method",
        "tran_cd",
        "use_pay_method",
        "ordr_chk",
    )
    assert all(form[name] == "" for name in holders)
    assert "Ret_URL" not in form  # the PC window returns by script, not to a URL
    assert "approval_key" not in form


def test_a_pc_billing_form_asks_for_a_batch_key_of_the_group() -> None:
    form = pc_form("A52Q7", replace(ORDER, billing_group_id="A52Q71000489"))

    assert (form["pay_method"], form["card_cert_type"], form["kcpgroup_id"]) == (
        "AUTH:CARD",
        "BATCH",
        "A52Q71000489",
    )
    assert (form["batch_soc"], form["batch_cardno_return_yn"], form["card_mask_no"]) == ("Y", "Y", "")


def test_a_mobile_billing_form_uses_kcps_mobile_spelling_of_the_group() -> None:
    form = mobile(replace(ORDER, billing_group_id="A52Q71000489"))

    assert (form["pay_method"], form["ActionResult"], form["kcp_group_id"]) == (
        "AUTH",
        "batch",
        "A52Q71000489",
    )


def test_no_options_add_no_option_fields() -> None:
    for form in both():
        for name in (
            "quotaopt",
            "fix_inst",
            "used_card_YN",
            "eng_flag",
            "tax_flag",
            "ipgm_date",
            "good_info",
        ):
            assert name not in form


@pytest.mark.parametrize(
    ("offered", "quotaopt"),
    [((2, 3, 6), "6"), ((), "0"), ((0, 1), "0"), ((24,), "12")],
)
def test_offered_installments_become_the_highest_month_kcp_offers(
    offered: tuple[int, ...], quotaopt: str
) -> None:
    for form in both(offered_quotas=offered):
        assert form["quotaopt"] == quotaopt


def test_a_fixed_installment_plan_is_fix_inst() -> None:
    for form in both(fixed_quota=3):
        assert form["fix_inst"] == "03"
    for form in both(fixed_quota=0):
        assert form["quotaopt"] == "0"


def test_below_50000_won_the_window_is_told_lump_sum_only() -> None:
    request = replace(ORDER, amount=49999, options=WindowOptions(offered_quotas=(2, 3)))

    assert mobile(request)["quotaopt"] == pc_form("T0000", request)["quotaopt"] == "0"


def test_a_direct_card_company_is_the_only_card_listed() -> None:
    for form in both(direct_card="361"):  # i'mport's BC
        assert (form["used_card_YN"], form["used_card"]) == ("Y", "CCBC")


def test_an_imp_card_code_covering_two_kcp_codes_lists_both() -> None:
    for form in both(direct_card="368"):  # 롯데: KCP's CCLO and CCAM
        assert sorted(form["used_card"].split(":")) == ["CCAM", "CCLO"]


def test_card_detail_is_applied_in_order_from_every_card() -> None:
    only_shinhan = both(cards=(("*", False), ("366", True)))
    all_but_bc = both(cards=(("361", False),))

    for form in only_shinhan:
        assert form["used_card"] == "CCLG"
    for form in all_but_bc:
        listed = form["used_card"].split(":")
        assert "CCBC" not in listed
        assert "CCLG" in listed


def test_card_detail_that_narrows_nothing_or_names_unknown_cards_sends_no_filter() -> None:
    for form in both(cards=(("366", True),)) + both(direct_card="999"):
        assert "used_card_YN" not in form


def test_app_card_only_is_kcp_app_card_yn() -> None:
    for form in both(app_card_only=True):
        assert form["kcp_app_card_yn"] == "Y"


def test_key_in_has_no_window_field() -> None:
    assert both(key_in=True) == both()


def test_shop_user_id_site_logo_and_language() -> None:
    for form in both(shop_user_id="buyer-77", site_logo="https://shop.example/logo.gif", language="en"):
        assert form["shop_user_id"] == "buyer-77"
        assert form["site_logo"] == "https://shop.example/logo.gif"
        assert form["eng_flag"] == "Y"
    assert "eng_flag" not in both(language="ko")[0]


def test_the_company_is_the_shop_name_site_name_on_pc_shop_name_on_mobile() -> None:
    on_mobile, on_pc = both(shop_name="의자나라")

    assert on_mobile["shop_name"] == "의자나라"
    assert on_pc["site_name"] == "의자나라"


def test_an_escrow_cart_is_good_info_with_its_line_count() -> None:
    cart = (CartLine("L1", "의자 다리", 4, 20000), CartLine("L2", "등받이", 1, 30000))
    request = replace(ORDER, escrow=True, options=WindowOptions(escrow_cart=cart))

    for form in (mobile(request), pc_form("T0000", request)):
        assert (form["escw_used"], form["pay_mod"], form["bask_cntx"]) == ("Y", "Y", "2")
        records = [
            dict(pair.split("=", 1) for pair in line.split("\x1f"))
            for line in form["good_info"].split("\x1e")
        ]
        assert records == [
            {"seq": "1", "ordr_numb": "L1", "good_name": "의자 다리", "good_cntx": "4", "good_amtx": "20000"},
            {"seq": "2", "ordr_numb": "L2", "good_name": "등받이", "good_cntx": "1", "good_amtx": "30000"},
        ]


def test_a_cart_without_escrow_is_not_sent() -> None:
    for form in both(escrow_cart=(CartLine("L1", "의자", 1, 1000),)):
        assert "good_info" not in form


def test_a_tax_free_part_is_kcps_tax_fields() -> None:
    mixed = both(tax_free=10000)
    all_free = both(tax_free=60000)

    for form in mixed:
        assert form["tax_flag"] == "TG03"
        parts = (form["comm_tax_mny"], form["comm_vat_mny"], form["comm_free_mny"])
        assert sum(int(p) for p in parts) == 60000
        assert form["comm_free_mny"] == "10000"
    assert all(form["tax_flag"] == "TG02" for form in all_free)


def test_the_vbank_due_is_ipgm_date_in_korean_time() -> None:
    for form in both(vbank_due=4071547800):  # 2099-01-08 18:30:00 KST
        assert form["ipgm_date"] == "20990108183000"


def test_a_prefilled_phone_is_hp_no() -> None:
    for form in both(phone="01012345678"):
        assert form["hp_no"] == "01012345678"


def test_the_pc_script_is_kcps_for_stage_and_production_and_the_sandboxs_own_otherwise() -> None:
    assert pc_script_url(STAGE_BASE_URL) == "https://testspay.kcp.co.kr/plugin/kcp_spay_hub.js"
    assert pc_script_url(PRODUCTION_BASE_URL) == "https://spay.kcp.co.kr/plugin/kcp_spay_hub.js"
    assert pc_script_url("http://kcp-sandbox/") == "http://kcp-sandbox/plugin/kcp_spay_hub.js"


def test_the_connectors_pc_window_sends_nothing(connector: KcpConnector, stub: StubKcp) -> None:
    window = connector.pc_window(ORDER)

    assert isinstance(window, PcWindow)
    assert window.script_url == f"{stub.base_url}/plugin/kcp_spay_hub.js"
    assert window.form["site_cd"] == "T0000"
    assert stub.requests == []


async def test_the_connectors_mobile_window_is_posted_to_the_filter(
    credentials: KcpCredentials, stub: StubKcp, http: httpx.AsyncClient
) -> None:
    stub.replies["/std/tradeReg/register"] = Reply.json(
        {
            "Code": "0000",
            "Message": "OK",
            "approvalKey": "KEY",
            "traceNo": "T0000TRACE00001",
            "PayUrl": PAY_URL,
        }
    )
    connector = KcpConnector(credentials, site_cd="T0000", base_url=stub.base_url, http=http)

    registration = await connector.register_trade(ORDER)

    assert isinstance(registration, TradeRegistration)
    assert registration.action == encoding_filter_url(PAY_URL)
    assert registration.form["encoding_trans"] == "UTF-8"
