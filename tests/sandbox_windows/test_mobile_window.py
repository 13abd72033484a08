"""The mobile window: trade registration, PayUrl posts in UTF-8 and EUC-KR, results at Ret_URL."""

from __future__ import annotations

import json

import httpx

from homeport.sandbox.context import Sandbox
from tests.sandbox_windows.pages import (
    APPROVAL_KEY,
    RET_URL,
    mobile_fields,
    open_mobile,
    post_euc_kr,
    register_trade,
    return_form,
    submit,
    window_form,
)


async def test_mobile_card_payment_through_encoding_filter_posts_auth_to_ret_url(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Paying in the window auto-posts res_cd 0000, tran_cd and the enc tokens to Ret_URL, and
    the ledger keeps the buyer's card choice (masked number) under enc_data."""
    window = await open_mobile(client, sandbox)
    assert window.status_code == 200
    assert "테스트 상품" in window.text

    result = return_form(
        await submit(client, window_form(window), card_cd="CCKM", card_no="5164530000001234")
    )

    assert result.action == RET_URL
    assert result.method == "post"
    assert result.accept_charset == "UTF-8"
    fields = result.fields
    assert fields["res_cd"] == "0000"
    assert fields["tran_cd"] == "00100000"
    assert fields["enc_data"].endswith("__")
    assert fields["enc_info"].endswith("__")
    assert fields["ordr_idxx"] == "ORDER-0001"
    assert fields["good_mny"] == "1004"
    assert fields["good_name"] == "테스트 상품"
    assert fields["site_cd"] == "T0000"
    assert fields["use_pay_method"] == "100000000000"
    assert fields["param_opt_1"] == "옵션1"
    assert fields["param_opt_3"] == "opt3"
    auth = sandbox.ledger.get("auth", fields["enc_data"])
    assert auth is not None
    assert auth["enc_info"] == fields["enc_info"]
    assert auth["pay_type"] == "PACA"
    assert auth["good_mny"] == 1004
    assert auth["ordr_idxx"] == "ORDER-0001"
    assert auth["scenario"] == "normal"
    selection = auth["selection"]
    assert selection["card_cd"] == "CCKM"
    assert selection["card_name"] == "KB국민카드"
    assert selection["card_no"] == "516453******1234"
    assert selection["quota"] == "00"


async def test_clear_card_number_is_never_stored(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """The window keeps only the masked card number; no ledger record holds the clear one."""
    window = await open_mobile(client, sandbox)
    await submit(client, window_form(window), card_no="5164530000001234")

    stored = json.dumps(
        [sandbox.ledger.all(kind) for kind in ("trade", "window", "auth")], ensure_ascii=False
    )
    assert "5164530000001234" not in stored
    assert "516453******1234" in stored


async def test_euc_kr_form_posted_to_payurl_is_decoded_and_answered_in_euc_kr(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Without encoding_trans the form is EUC-KR: Korean text reads correctly in the window, and
    the result form posts back to Ret_URL in EUC-KR."""
    register_trade(sandbox, good_name="한글 상품명")
    fields = mobile_fields(good_name="한글 상품명", utf8=False)

    window = await post_euc_kr(client, "/pay/mobileGW.kcp", fields)

    assert window.status_code == 200
    assert "한글 상품명" in window.text
    result = return_form(await submit(client, window_form(window)))
    assert result.accept_charset == "EUC-KR"
    assert result.fields["good_name"] == "한글 상품명"
    assert result.fields["buyr_name"] == "홍길동"
    assert result.fields["res_cd"] == "0000"


async def test_cancel_posts_3001_with_empty_tokens(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """The 취소 button returns res_cd 3001 (user cancelled) with no enc_data/enc_info/tran_cd."""
    window = await open_mobile(client, sandbox)

    result = return_form(await submit(client, window_form(window), action="cancel"))

    assert result.action == RET_URL
    assert result.fields["res_cd"] == "3001"
    assert result.fields["enc_data"] == ""
    assert result.fields["enc_info"] == ""
    assert result.fields["tran_cd"] == ""
    assert result.fields["ordr_idxx"] == "ORDER-0001"
    assert sandbox.ledger.all("auth") == []


async def test_failed_authentication_posts_a_decline_with_no_tokens(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The 인증 실패 button is a buyer who fails card authentication: a non-0000 res_cd, no auth."""
    window = await open_mobile(client, sandbox)

    result = return_form(await submit(client, window_form(window), action="decline"))

    assert result.action == RET_URL
    assert result.fields["res_cd"] == "9301"
    assert result.fields["res_msg"] == "카드사 인증에 실패하였습니다."
    assert result.fields["enc_data"] == ""
    assert sandbox.ledger.all("auth") == []


async def test_result_page_has_a_noscript_submit_button(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Without JavaScript the buyer can still send the result to the merchant."""
    window = await open_mobile(client, sandbox)

    page = await submit(client, window_form(window))

    assert "<noscript>" in page.text
    assert 'type="submit"' in page.text


async def test_amount_differing_from_the_trade_returns_8059_to_the_trades_ret_url(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A good_mny changed after registration shows an error and auto-posts res_cd 8059 to the
    Ret_URL the trade registered (not to one the form supplies)."""
    register_trade(sandbox, good_mny=1004)
    fields = mobile_fields(good_mny=10, Ret_URL="https://attacker.example/")

    page = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)

    result = return_form(page)
    assert result.action == RET_URL
    assert result.fields["res_cd"] == "8059"
    assert result.fields["enc_data"] == ""
    assert 'role="alert"' in page.text
    assert "pay-form" not in page.text


async def test_order_number_differing_from_the_trade_is_refused(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The form's ordr_idxx must be the registered one."""
    register_trade(sandbox, ordr_idxx="ORDER-0001")

    page = await client.post(
        "/pay/jsp/encodingFilter/encodingFilter.jsp", data=mobile_fields(ordr_idxx="ORDER-9999")
    )

    assert return_form(page).fields["res_cd"] == "9202"


async def test_unknown_approval_key_is_refused(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A window without a registered trade returns a non-0000 code to the form's Ret_URL."""
    page = await open_mobile(client, sandbox, register=False)

    result = return_form(page)
    assert result.action == RET_URL
    assert result.fields["res_cd"] == "9201"


async def test_window_without_a_usable_ret_url_shows_only_an_error(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """With no trade and a non-http Ret_URL there is nowhere to post: an error page, no form."""
    fields = mobile_fields(Ret_URL="javascript:alert(1)")

    page = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)

    assert page.status_code == 400
    assert "kcp-return" not in page.text
    assert "javascript:alert" not in page.text


async def test_a_window_completes_only_once(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Pressing 결제하기 twice (or replaying the post) does not make a second authentication."""
    form = window_form(await open_mobile(client, sandbox))
    await submit(client, form)

    again = await submit(client, form)

    assert again.status_code == 409
    assert len(sandbox.ledger.all("auth")) == 1


async def test_merchant_text_is_html_escaped(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Merchant fields are shown as text, never as markup."""
    register_trade(sandbox, good_name="<script>alert(1)</script>")
    fields = mobile_fields(good_name="<script>alert(1)</script>", shop_name='"><img src=x onerror=alert(1)>')

    page = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text


async def test_bank_transfer_records_the_chosen_bank(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """acnt: the bank select offers BKxx codes and the auth is a PABK with bank_code/bank_name."""
    form = window_form(await open_mobile(client, sandbox, "bank"))
    assert ("BK88", "신한은행") in form.options["bank_code"]

    result = return_form(await submit(client, form, bank_code="BK88"))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "PABK"
    assert auth["use_pay_method"] == "010000000000"
    assert auth["selection"] == {"bank_code": "BK88", "bank_name": "신한은행"}
    assert result.fields["cash_yn"] == "N"


async def test_cash_receipt_request_is_returned(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A buyer asking for a cash receipt on a transfer sends cash_yn/cash_tr_code/cash_id_info."""
    form = window_form(await open_mobile(client, sandbox, "bank"))

    result = return_form(
        await submit(client, form, cash_yn="Y", cash_tr_code="0", cash_id_info="010-1234-5678")
    )

    assert result.fields["cash_yn"] == "Y"
    assert result.fields["cash_tr_code"] == "0"
    assert result.fields["cash_id_info"] == "01012345678"


async def test_phone_payment_records_carrier_and_number(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """mobx: carrier and phone number go into a PAMC auth."""
    form = window_form(await open_mobile(client, sandbox, "phone"))
    assert {v for v, _ in form.options["commid"]} >= {"SKT", "KTF", "LGT"}

    result = return_form(await submit(client, form, commid="KTF", mobile_no="010-9876-5432"))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "PAMC"
    assert auth["selection"] == {"commid": "KTF", "mobile_no": "01098765432"}


async def test_merchant_fixed_carrier_and_number_are_read_only(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """hp_commid and hp_no from the merchant are shown read-only and used as given."""
    page = await open_mobile(client, sandbox, "phone", hp_commid="LGT", hp_no="01055556666")
    form = window_form(page)
    assert "commid" not in form.options
    assert "mobile_no" in form.readonly

    result = return_form(await submit(client, form, commid="SKT", mobile_no="01000000000"))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"] == {"commid": "LGT", "mobile_no": "01055556666"}


async def test_bad_phone_number_shows_the_window_again(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A wrong input is the buyer's to fix: the window comes back with a message, nothing stored."""
    form = window_form(await open_mobile(client, sandbox, "phone"))

    page = await submit(client, form, mobile_no="12")

    assert page.status_code == 400
    assert 'id="window-error"' in page.text
    assert window_form(page).action == form.action
    assert sandbox.ledger.all("auth") == []


async def test_ok_cashbag_point_payment(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """ActionResult=ocb with van_code SCSK makes a PAPT auth for OK캐쉬백."""
    form = window_form(await open_mobile(client, sandbox, "ocb"))
    assert form.options["pnt_issue"] == [("SCSK", "OK캐쉬백")]

    result = return_form(await submit(client, form))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "PAPT"
    assert auth["use_pay_method"] == "000100000000"
    assert auth["selection"] == {"pnt_issue": "SCSK"}


async def test_gift_certificate_without_shop_user_id_returns_an_error(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Gift certificates need shop_user_id: without it the window shows an error and returns a
    non-0000 res_cd to Ret_URL."""
    page = await open_mobile(client, sandbox, "culture")

    result = return_form(page)
    assert result.fields["res_cd"] == "9104"
    assert "shop_user_id" in page.text
    assert sandbox.ledger.all("auth") == []


async def test_gift_certificate_records_van_code_and_shop_user_id(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """sccl with shop_user_id makes a PATK auth for 문화상품권."""
    form = window_form(await open_mobile(client, sandbox, "culture", shop_user_id="member-42"))

    result = return_form(await submit(client, form))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "PATK"
    assert auth["use_pay_method"] == "000000001000"
    assert auth["selection"] == {"tk_van_code": "SCCL", "shop_user_id": "member-42"}


async def test_action_result_must_match_the_registered_method(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A trade registered for CARD cannot open a transfer window."""
    register_trade(sandbox, method="card")
    fields = mobile_fields("bank")

    page = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)

    assert return_form(page).fields["res_cd"] == "9202"


async def test_escrow_window_shows_the_cart_and_marks_the_auth(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """escw_used=Y shows good_info's lines (RS/US separated) and stores escw_used=Y."""
    good_info = "\x1e".join(
        [
            "seq=1\x1fordr_numb=ORDER-0001_0001\x1fgood_name=양말\x1fgood_cntx=2\x1fgood_amtx=504",
            "seq=2\x1fordr_numb=ORDER-0001_0002\x1fgood_name=모자\x1fgood_cntx=1\x1fgood_amtx=500",
        ]
    )
    page = await open_mobile(
        client,
        sandbox,
        site_cd="T0007",
        escw_used="Y",
        good_info=good_info,
        bask_cntx="2",
        rcvr_name="김수령",
    )

    assert 'id="escrow-cart"' in page.text
    assert "양말" in page.text
    assert "모자" in page.text
    assert "김수령" in page.text
    result = return_form(await submit(client, window_form(page)))
    assert result.fields["escw_used"] == "Y"
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["escw_used"] == "Y"


async def test_site_logo_is_shown_when_given(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """site_logo (an http(s) URL) appears as the window's logo."""
    page = await open_mobile(client, sandbox, site_logo="https://shop.example/logo.gif")

    assert '<img class="logo" src="https://shop.example/logo.gif"' in page.text


async def test_approval_key_is_read_from_the_form(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """The window finds the trade by the form's approval_key (KCP's register answer approvalKey)."""
    register_trade(sandbox, approval_key="another-key")
    fields = mobile_fields(approval_key="another-key")

    page = await client.post("/pay/jsp/encodingFilter/encodingFilter.jsp", data=fields)

    assert page.status_code == 200
    assert window_form(page).fields["method"] == "card"
    assert sandbox.ledger.get("trade", APPROVAL_KEY) is None
