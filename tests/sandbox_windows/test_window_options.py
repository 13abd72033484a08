"""Merchant options that shape a window: installments, card filters, easy pay, vbank, batch keys."""

from __future__ import annotations

import httpx

from homeport.sandbox.clock import ManualClock
from homeport.sandbox.context import Sandbox
from tests.sandbox_windows.pages import open_mobile, return_form, submit, window_form


async def test_no_installments_below_50000_won(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Below 50,000 won the window offers no installment select; the auth is a lump sum."""
    page = await open_mobile(client, sandbox, good_mny=49_999)
    form = window_form(page)

    assert "quota" not in form.names
    result = return_form(await submit(client, form, quota="03"))
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["quota"] == "00"


async def test_installments_from_50000_won_up_to_quotaopt(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """From 50,000 won, quotaopt is the longest installment offered."""
    form = window_form(await open_mobile(client, sandbox, good_mny=50_000, quotaopt="3"))

    assert [value for value, _ in form.options["quota"]] == ["00", "02", "03"]
    result = return_form(await submit(client, form, quota="03"))
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["quota"] == "03"
    assert auth["selection"]["noinf"] == "N"


async def test_installments_default_to_twelve_months(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Without quotaopt the window offers lump sum and 2 to 12 months."""
    form = window_form(await open_mobile(client, sandbox, good_mny=120_000))

    assert [value for value, _ in form.options["quota"]][-1] == "12"
    assert len(form.options["quota"]) == 12


async def test_installment_beyond_quotaopt_is_refused(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """A quota the window did not offer sends the buyer back to the window."""
    form = window_form(await open_mobile(client, sandbox, good_mny=60_000, quotaopt="3"))

    page = await submit(client, form, quota="06")

    assert page.status_code == 400
    assert sandbox.ledger.all("auth") == []


async def test_fix_inst_fixes_the_installment(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """fix_inst offers exactly that many months."""
    form = window_form(await open_mobile(client, sandbox, good_mny=60_000, fix_inst="06"))

    assert form.options["quota"] == [("06", "6개월")]


async def test_interest_free_months_are_marked_and_recorded(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """kcp_noint=Y with kcp_noint_quota lists the merchant-paid months per card, and a matching
    choice is stored with noinf=Y."""
    page = await open_mobile(
        client, sandbox, good_mny=80_000, kcp_noint="Y", kcp_noint_quota="CCBC-02:03:06,CCKM-03:06"
    )
    assert 'id="noint-table"' in page.text
    assert "2개월, 3개월, 6개월" in page.text
    form = window_form(page)

    result = return_form(await submit(client, form, card_cd="CCKM", quota="06"))
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["noinf"] == "Y"


async def test_used_card_limits_the_card_companies(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """used_card_YN=Y with used_card=CCBC:CCKM offers only those companies; others are refused."""
    form = window_form(await open_mobile(client, sandbox, used_card_YN="Y", used_card="CCBC:CCKM"))

    assert [value for value, _ in form.options["card_cd"]] == ["CCBC", "CCKM"]
    refused = await submit(client, form, card_cd="CCSS")
    assert refused.status_code == 400
    assert sandbox.ledger.all("auth") == []


async def test_used_card_is_ignored_without_used_card_yn(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """The filter applies only with used_card_YN=Y."""
    form = window_form(await open_mobile(client, sandbox, used_card="CCBC:CCKM"))

    assert len(form.options["card_cd"]) > 2


async def test_easy_pay_direct_opens_that_provider(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """kakaopay_direct=Y shows only KakaoPay and records easy_pay=kakaopay."""
    page = await open_mobile(client, sandbox, kakaopay_direct="Y")
    form = window_form(page)
    assert form.fields["easy_pay"] == "kakaopay"
    assert "easy_pay" not in form.radios

    result = return_form(await submit(client, form))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["easy_pay"] == "kakaopay"
    assert result.fields["card_pay_method"].startswith("KAKAO_")


async def test_buyer_can_choose_an_easy_pay(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Without a direct flag every easy pay is offered next to the plain card."""
    form = window_form(await open_mobile(client, sandbox))
    assert set(form.radios["easy_pay"]) == {
        "",
        "kakaopay",
        "naverpay",
        "payco",
        "samsung",
        "applepay",
        "lpay",
    }

    result = return_form(await submit(client, form, easy_pay="naverpay"))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["easy_pay"] == "naverpay"


async def test_app_card_only_marks_the_auth(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """kcp_app_card_yn=Y (i'mport appCard) allows only app-card payments: app_card=Y."""
    page = await open_mobile(client, sandbox, kcp_app_card_yn="Y")
    assert 'id="app-card-only"' in page.text

    result = return_form(await submit(client, window_form(page), app_card="N"))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["app_card"] == "Y"


async def test_scenario_card_number_is_recorded_for_the_approval(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A magic card number authenticates in the window and carries its scenario to approval."""
    form = window_form(await open_mobile(client, sandbox))

    result = return_form(await submit(client, form, card_no="4000 0000 0000 0002"))

    assert result.fields["res_cd"] == "0000"
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["scenario"] == "limit_exceeded"
    assert auth["selection"]["card_no"] == "400000******0002"


async def test_malformed_card_number_shows_the_window_again(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A card number that is not 13-19 digits is refused in the window."""
    form = window_form(await open_mobile(client, sandbox))

    page = await submit(client, form, card_no="1234")

    assert page.status_code == 400
    assert "카드번호" in page.text


async def test_wish_vbank_list_limits_the_banks(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """wish_vbank_list (2-digit codes) limits the vbank banks, offered as BKxx."""
    form = window_form(await open_mobile(client, sandbox, "vbank", wish_vbank_list="04:03:20"))

    assert form.options["vbank_code"] == [("BK04", "국민은행"), ("BK03", "기업은행"), ("BK20", "우리은행")]
    result = return_form(await submit(client, form, vbank_code="BK20"))
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "PAVC"
    assert auth["use_pay_method"] == "001000000000"
    assert auth["selection"]["bankcode"] == "BK20"
    assert auth["selection"]["bankname"] == "우리은행"


async def test_vbank_deadline_defaults_to_seven_days_end_of_day(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Without ipgm_date the account is valid until issue date + 7 days, 23:59:59."""
    page = await open_mobile(client, sandbox, "vbank")
    assert "2026년 3월 9일 23:59:59까지" in page.text

    result = return_form(await submit(client, window_form(page)))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["va_date"] == "20260309235959"
    assert auth["selection"]["depositor"]


async def test_vbank_deadline_from_ipgm_date(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """ipgm_date (YYYYMMDD) is the deadline day, until 23:59:59."""
    page = await open_mobile(client, sandbox, "vbank", ipgm_date="20260305")

    result = return_form(await submit(client, window_form(page)))

    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["selection"]["va_date"] == "20260305235959"


async def test_past_vbank_deadline_is_refused(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: ManualClock
) -> None:
    """An ipgm_date already past cannot open a window."""
    clock.advance(5 * 86_400)

    page = await open_mobile(client, sandbox, "vbank", ipgm_date="20260305")

    assert return_form(page).fields["res_cd"] == "9105"


async def test_batch_key_issuance_with_group_id(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """ActionResult=batch with kcp_group_id: tran_cd 00300001, an AUTH auth with the group and
    the card, and card_mask_no formatted as batch_cardno_return_yn=Y asks."""
    page = await open_mobile(
        client,
        sandbox,
        "batch",
        site_cd="A52Q7",
        good_mny=0,
        kcp_group_id="A52Q71000489",
        batch_cardno_return_yn="Y",
    )
    assert "A52Q71000489" in page.text

    form = window_form(page)
    result = return_form(
        await submit(client, form, card_cd="CCDI", card_no="4330123412341234", card_taxno="800101")
    )

    assert result.fields["res_cd"] == "0000"
    assert result.fields["tran_cd"] == "00300001"
    assert result.fields["card_mask_no"] == "4330-1234-****-1234"
    assert result.fields["kcp_group_id"] == "A52Q71000489"
    auth = sandbox.ledger.get("auth", result.fields["enc_data"])
    assert auth is not None
    assert auth["pay_type"] == "AUTH"
    assert auth["tran_cd"] == "00300001"
    assert auth["good_mny"] == 0
    assert auth["selection"] == {
        "group_id": "A52Q71000489",
        "card_cd": "CCDI",
        "card_name": "현대카드",
        "card_mask_no": "433012******1234",
        "card_bin_type_01": "0",
        "card_bin_type_02": "0",
    }


async def test_batch_key_issuance_needs_birth_date_or_business_number(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The window asks for a birth date (6) or business number (10) before issuing."""
    form = window_form(
        await open_mobile(client, sandbox, "batch", site_cd="A52Q7", kcp_group_id="A52Q71000489")
    )

    page = await submit(client, form, card_taxno="12")

    assert page.status_code == 400
    assert sandbox.ledger.all("auth") == []


async def test_batch_key_issuance_with_unknown_group_returns_5209(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """A group id the site does not own answers 5209 (KCP's unusable GROUP_ID)."""
    page = await open_mobile(client, sandbox, "batch", site_cd="A52Q7", kcp_group_id="A52Q79999999")

    assert return_form(page).fields["res_cd"] == "5209"
