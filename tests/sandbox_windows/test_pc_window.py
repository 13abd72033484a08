"""The PC window: kcp_spay_hub.js, the window in its iframe, and the postMessage result."""

from __future__ import annotations

import httpx

from homeport.sandbox.context import Sandbox
from tests.sandbox_windows.pages import pc_fields, pc_message, submit, window_form


async def test_spay_hub_script_defines_the_kcp_functions(client: httpx.AsyncClient) -> None:
    """/plugin/kcp_spay_hub.js is JavaScript defining KCP_Pay_Execute_Web, the older
    KCP_Pay_Execute alias and GetField, calling m_Completepayment(FormOrJson, closeEvent)."""
    response = await client.get("/plugin/kcp_spay_hub.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    script = response.text
    assert "function KCP_Pay_Execute_Web(form)" in script
    assert "global.KCP_Pay_Execute = KCP_Pay_Execute_Web" in script
    assert "function GetField(frm, FormOrJson)" in script
    assert "m_Completepayment(result, closeEvent)" in script


async def test_spay_hub_script_accepts_messages_only_from_its_own_origin(client: httpx.AsyncClient) -> None:
    """The script checks the message's origin against its own and its source against its iframe."""
    script = (await client.get("/plugin/kcp_spay_hub.js")).text

    assert "event.origin !== SANDBOX_ORIGIN" in script
    assert "event.source !== active.frame.contentWindow" in script
    assert "message.nonce !== active.nonce" in script


async def test_older_payplus_script_url_serves_the_same_script(client: httpx.AsyncClient) -> None:
    """/plugin/payplus_web.jsp (KCP_Pay_Execute) is the same script."""
    old = await client.get("/plugin/payplus_web.jsp")
    new = await client.get("/plugin/kcp_spay_hub.js")

    assert old.status_code == 200
    assert old.text == new.text


async def test_pc_card_payment_posts_the_result_to_the_merchant_page(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The PC window needs no trade registration; its result is a postMessage to the merchant's
    origin with res_cd, enc tokens, tran_cd, use_pay_method, ret_pay_method and ordr_chk."""
    window = await client.post("/pay/pc", data=pc_fields())
    assert window.status_code == 200
    form = window_form(window)

    page = await submit(client, form, card_cd="CCSS", card_no="9410123412341234")

    assert "window.parent.postMessage(JSON.stringify(message), targetOrigin)" in page.text
    assert 'var targetOrigin = "https://shop.example";' in page.text
    message = pc_message(page)
    assert message["source"] == "homeport-kcp-sandbox"
    assert message["type"] == "kcp_pay_result"
    assert message["nonce"] == "0123456789abcdef0123456789abcdef"
    fields = message["fields"]
    assert fields["res_cd"] == "0000"
    assert fields["tran_cd"] == "00100000"
    assert fields["ret_pay_method"] == "CARD"
    assert fields["use_pay_method"] == "100000000000"
    assert fields["ordr_chk"] == "PC-ORDER-0001|1004"
    assert fields["good_mny"] == "1004"
    auth = sandbox.ledger.get("auth", fields["enc_data"])
    assert auth is not None
    assert auth["enc_info"] == fields["enc_info"]
    assert auth["pay_type"] == "PACA"
    assert auth["selection"]["card_cd"] == "CCSS"
    assert auth["selection"]["card_no"] == "941012******1234"


async def test_pc_cancel_posts_3001(client: httpx.AsyncClient) -> None:
    """The 취소 button posts res_cd 3001 with empty tokens to the merchant page."""
    form = window_form(await client.post("/pay/pc", data=pc_fields()))

    fields = pc_message(await submit(client, form, action="cancel"))["fields"]

    assert fields["res_cd"] == "3001"
    assert fields["enc_data"] == ""
    assert fields["enc_info"] == ""
    assert fields["ordr_chk"] == "PC-ORDER-0001|1004"


async def test_pc_window_without_a_valid_parent_origin_posts_to_any(client: httpx.AsyncClient) -> None:
    """Opened without kcp_spay_hub.js's origin field, the window falls back to targetOrigin "*"."""
    form = window_form(await client.post("/pay/pc", data=pc_fields(sandbox_parent_origin="javascript:x")))

    page = await submit(client, form)

    assert 'var targetOrigin = "*";' in page.text


async def test_pc_multi_method_window_lets_the_buyer_choose(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """pay_method 111000000000 offers card, transfer and virtual account; choosing the transfer
    makes a PABK auth and ret_pay_method BANK."""
    form = window_form(await client.post("/pay/pc", data=pc_fields("111000000000")))
    assert form.radios["method"] == ["card", "bank", "vbank"]

    fields = pc_message(await submit(client, form, method="bank", bank_code="BK04"))["fields"]

    assert fields["ret_pay_method"] == "BANK"
    assert fields["use_pay_method"] == "010000000000"
    auth = sandbox.ledger.get("auth", fields["enc_data"])
    assert auth is not None
    assert auth["selection"] == {"bank_code": "BK04", "bank_name": "국민은행"}


async def test_pc_vbank_deadline_from_vcnt_expire_term(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """vcnt_expire_term (days) and vcnt_expire_term_time (HHMMSS) set the deadline."""
    form = window_form(
        await client.post(
            "/pay/pc",
            data=pc_fields("001000000000", vcnt_expire_term="3", vcnt_expire_term_time="120000"),
        )
    )

    fields = pc_message(await submit(client, form))["fields"]

    auth = sandbox.ledger.get("auth", fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["va_date"] == "20260305120000"
    assert fields["ret_pay_method"] == "VCNT"


async def test_pc_gift_among_other_methods_needs_shop_user_id(client: httpx.AsyncClient) -> None:
    """In a window offering card and gift certificates, choosing a gift certificate without
    shop_user_id ends the window with a non-0000 res_cd."""
    window = await client.post("/pay/pc", data=pc_fields("100000001000"))
    assert 'id="gift-unavailable"' in window.text
    form = window_form(window)

    fields = pc_message(await submit(client, form, method="gift"))["fields"]

    assert fields["res_cd"] == "9104"
    assert fields["enc_data"] == ""


async def test_pc_gift_only_window_without_shop_user_id_fails_at_once(client: httpx.AsyncClient) -> None:
    """A gift-only PC window without shop_user_id posts the error to the merchant page at once."""
    page = await client.post("/pay/pc", data=pc_fields("000000001000"))

    assert "pay-form" not in page.text
    assert pc_message(page)["fields"]["res_cd"] == "9104"


async def test_pc_batch_key_issuance(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """pay_method=AUTH:CARD, card_cert_type=BATCH and kcpgroup_id open the batch-key window;
    the result has tran_cd 00300001 and card_mask_no per batch_cardno_return_yn=L."""
    data = pc_fields(
        "AUTH:CARD",
        site_cd="A52Q7",
        good_mny="0",
        card_cert_type="BATCH",
        kcpgroup_id="A52Q71000489",
        batch_soc="Y",
        batch_soc_choice="C",
        good_expr="2:1m",
        batch_cardno_return_yn="L",
        card_mask_no="",
    )
    page = await client.post("/pay/pc", data=data)
    assert "1개월 자동결제" in page.text
    form = window_form(page)

    fields = pc_message(
        await submit(client, form, card_cd="CCBC", card_no="9410000011112222", card_taxno="1234567890")
    )["fields"]

    assert fields["res_cd"] == "0000"
    assert fields["tran_cd"] == "00300001"
    assert fields["card_mask_no"] == "2222"
    assert fields["ordr_chk"] == "PC-ORDER-0001|0"
    auth = sandbox.ledger.get("auth", fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "AUTH"
    assert auth["selection"]["group_id"] == "A52Q71000489"


async def test_pc_batch_key_window_needs_card_cert_type_batch(client: httpx.AsyncClient) -> None:
    """AUTH:CARD without card_cert_type=BATCH is a malformed request."""
    page = await client.post(
        "/pay/pc", data=pc_fields("AUTH:CARD", site_cd="A52Q7", kcpgroup_id="A52Q71000489")
    )

    assert pc_message(page)["fields"]["res_cd"] == "9105"


async def test_pc_unknown_site_is_refused(client: httpx.AsyncClient) -> None:
    """A site_cd the sandbox does not know cannot open a window."""
    page = await client.post("/pay/pc", data=pc_fields(site_cd="ZZZZZ"))

    assert pc_message(page)["fields"]["res_cd"] == "9103"


async def test_pc_vbank_window_refuses_a_malformed_expire_term(client: httpx.AsyncClient) -> None:
    """vcnt_expire_term must be a number of days (at most three digits)."""
    page = await client.post("/pay/pc", data=pc_fields("001000000000", vcnt_expire_term="99999999"))

    assert pc_message(page)["fields"]["res_cd"] == "9105"
