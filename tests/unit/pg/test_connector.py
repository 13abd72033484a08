"""The connector's flows against a stub KCP on 127.0.0.1: what is sent, what comes back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeport.domain.errors import ConfigurationError, PgOutcomeUnknown
from homeport.domain.merchants.models import ChannelEnvironment, PgChannel
from homeport.pg.base import (
    Approved,
    BillingKeyIssued,
    Buyer,
    Cancelled,
    CancelRequest,
    CardInput,
    Charge,
    Declined,
    EscrowDelivery,
    EscrowParty,
    EscrowRegistered,
    Inquiry,
    PgStatus,
    RefundAccount,
    TradeRegistration,
    TradeRequest,
    VirtualAccountRequest,
    WindowResult,
)
from homeport.pg.kcp import KcpConnector, KcpCredentials, connector_for_channel, methods
from homeport.pg.kcp.environments import PRODUCTION_BASE_URL, STAGE_BASE_URL
from tests.unit.pg.support import Pair, Reply, StubKcp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kcp"
APPROVAL, HUB, CANCEL, INQUIRY, REGISTER = (
    "/gw/enc/v1/payment",
    "/gw/hub/v1/payment",
    "/gw/mod/v1/cancel",
    "/std/inquery",
    "/std/tradeReg/register",
)


def golden(name: str, **values: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["response"]
    answer = {
        k: v.replace("<ordr_idxx>", "ORD-1").replace("<tno>", "20220609985470") for k, v in data.items()
    }
    answer.update(values)
    return answer


def last(stub: StubKcp, path: str) -> dict[str, Any]:
    return stub.bodies(path)[-1]


async def test_approve_sends_the_stored_amount_and_reads_the_card(
    connector: KcpConnector, stub: StubKcp
) -> None:
    stub.replies[APPROVAL] = Reply.json(golden("approval_card.json"))

    result = await connector.approve(
        WindowResult(fields={"res_cd": "0000", "enc_data": "ENC", "enc_info": "INFO", "tran_cd": "00100000"}),
        order_id="ORD-1",
        amount=1004,
        pay_method="card",
    )

    assert isinstance(result, Approved)
    assert result.pg_tid == "20220609985470"
    assert result.amount == 1004
    assert result.card is not None
    assert result.card.company_code == "361"
    sent = last(stub, APPROVAL)
    assert (sent["ordr_mony"], sent["ordr_no"], sent["pay_type"], sent["tran_cd"]) == (
        "1004",
        "ORD-1",
        "PACA",
        "00100000",
    )
    assert sent["kcp_cert_info"] == connector._credentials.cert_info


async def test_a_declined_approval_is_a_value(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[APPROVAL] = Reply.json({"res_cd": "8059", "res_msg": "형식오류 : 결제금액 불일치"})

    result = await connector.approve(
        WindowResult(fields={"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00100000"}),
        order_id="O",
        amount=1,
        pay_method="card",
    )

    assert isinstance(result, Declined)
    assert result.reason == "amount_mismatch"
    assert result.pg_code == "8059"


async def test_an_approval_without_tno_is_outcome_unknown(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[APPROVAL] = Reply.json({"res_cd": "0000", "res_msg": "정상처리"})

    with pytest.raises(PgOutcomeUnknown):
        await connector.approve(
            WindowResult(fields={"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00100000"}),
            order_id="O",
            amount=1,
            pay_method="card",
        )


async def test_a_window_result_of_the_wrong_kind_is_not_sent(connector: KcpConnector, stub: StubKcp) -> None:
    result = await connector.approve(
        WindowResult(fields={"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00300001"}),
        order_id="O",
        amount=1,
        pay_method="card",
    )

    assert isinstance(result, Declined)
    assert result.reason == "invalid_window_result"
    assert stub.requests == []


async def test_a_window_the_buyer_closed_is_a_decline_and_never_sent(
    connector: KcpConnector, stub: StubKcp
) -> None:
    """res_cd 3001 on the return: Declined user_cancelled, nothing sent to KCP."""
    closed = WindowResult(
        fields={"res_cd": "3001", "res_msg": "사용자가 결제를 취소하였습니다.", "enc_data": ""}
    )

    result = await connector.approve(closed, order_id="O", amount=1, pay_method="card")

    assert isinstance(result, Declined)
    assert (result.reason, result.pg_code) == ("user_cancelled", "3001")
    assert stub.requests == []


async def test_a_billing_key_window_on_a_channel_without_a_group_is_refused_before_kcp(
    credentials: KcpCredentials, stub: StubKcp, http: httpx.AsyncClient
) -> None:
    """A batch key bound to no group could never be charged: refuse instead of storing one."""
    no_group = KcpConnector(credentials, site_cd="T0000", base_url=stub.base_url, http=http)

    result = await no_group.issue_billing_key(
        WindowResult(fields={"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00300001"})
    )

    assert isinstance(result, Declined)
    assert result.reason == "billing_group_missing"
    assert stub.requests == []


async def test_register_trade(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[REGISTER] = Reply.json(golden("register.json"))

    result = await connector.register_trade(
        TradeRequest(
            order_id="ORD-1", amount=1004, name="운동화", pay_method="vbank", return_url="https://s/r"
        )
    )

    assert isinstance(result, TradeRegistration)
    assert result.pay_url == "https://testsmpay.kcp.co.kr/pay/mobileGW.kcp"
    assert last(stub, REGISTER)["pay_method"] == "VCNT"


async def test_a_billing_key_from_a_window(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[APPROVAL] = Reply.json(golden("batch_key_issue.json"))

    result = await connector.issue_billing_key(
        WindowResult(fields={"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00300001"})
    )

    assert isinstance(result, BillingKeyIssued)
    assert result.billing_key == "2304051168518034"
    assert result.card.company_code == "365"
    assert "2304051168518034" not in repr(result)
    assert last(stub, APPROVAL)["tran_cd"] == "00300001"


async def test_charging_a_billing_key(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[HUB] = Reply.json(golden("batch_pay.json"))

    result = await connector.charge(
        Charge(order_id="ORD-1", amount=1100, name="정기구독", billing_key="2304051168518034")
    )

    assert isinstance(result, Approved)
    assert result.pay_method == "card"
    sent = last(stub, HUB)
    assert (sent["card_tx_type"], sent["bt_batch_key"], sent["bt_group_id"]) == (
        "11511000",
        "2304051168518034",
        "T00001000001",
    )


async def test_key_in_charge_and_its_local_checks(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[HUB] = Reply.json(golden("batch_pay.json", amount="2000", card_mny="2000"))

    result = await connector.charge(
        Charge(order_id="O", amount=2000, name="n", card=CardInput("4111111111111111", "2030-12"))
    )
    bad = await connector.charge(
        Charge(order_id="O", amount=2000, name="n", card=CardInput("4111111111111111", "12/30"))
    )

    assert isinstance(result, Approved)
    assert last(stub, HUB)["card_expiry"] == "3012"
    assert isinstance(bad, Declined)
    assert bad.reason == "invalid_card_expiry"
    assert len(stub.requests) == 1


async def test_deleting_a_billing_key(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[HUB] = Reply.json({"res_cd": "0000", "res_msg": "정상처리"})

    assert await connector.delete_billing_key("2304051168518034") is None
    assert last(stub, HUB)["tx_type"] == "10005010"


async def test_partial_cancel_sends_the_balance_before_and_a_valid_signature(
    connector: KcpConnector, stub: StubKcp, credentials: KcpCredentials
) -> None:
    stub.replies[CANCEL] = Reply.json(golden("cancel_partial.json"))

    result = await connector.cancel(
        CancelRequest(pg_tid="20220609985470", pay_method="card", amount=100, remaining_before=1004)
    )

    assert result == Cancelled("20220609985470", 100, 904, result.cancelled_at, "22060912345678")
    assert result.cancelled_at > 0
    sent = last(stub, CANCEL)
    assert (sent["mod_type"], sent["mod_mny"], sent["rem_mny"]) == ("STPC", "100", "1004")
    assert credentials.verify("T0000^20220609985470^STPC", sent["kcp_sign_data"])


async def test_full_cancel_is_stsc_and_reads_legacy_partial_fields(
    connector: KcpConnector, stub: StubKcp
) -> None:
    stub.replies[CANCEL] = Reply.json({"res_cd": "0000", "tno": "1", "canc_time": "20260302100000"})

    result = await connector.cancel(
        CancelRequest(pg_tid="1", pay_method="card", amount=None, remaining_before=904)
    )

    assert isinstance(result, Cancelled)
    assert (result.cancelled_amount, result.remaining) == (904, 0)
    assert result.cancellation_id  # derived: KCP sends no sequence number for a full cancel
    sent = last(stub, CANCEL)
    assert sent["mod_type"] == "STSC"
    assert "mod_mny" not in sent

    stub.replies[CANCEL] = Reply.json(
        {
            "res_cd": "0000",
            "tno": "1",
            "panc_mod_mny": "100",
            "panc_rem_mny": "804",
            "mod_pcan_seq_no": "16082600006458",
        }
    )
    legacy = await connector.cancel(
        CancelRequest(pg_tid="1", pay_method="card", amount=100, remaining_before=904)
    )
    assert isinstance(legacy, Cancelled)
    assert (legacy.cancelled_amount, legacy.remaining) == (100, 804)


async def test_a_deposited_vbank_is_refunded_to_the_account(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[CANCEL] = Reply.json({"res_cd": "0000", "tno": "1", "canc_time": "20260302100000"})
    refund = RefundAccount(bank_code="004", account="123456789012", holder="홍길동")

    full = await connector.cancel(CancelRequest("1", "vbank", None, 5000, deposited=True, refund=refund))
    sent_full = last(stub, CANCEL)
    part = await connector.cancel(CancelRequest("1", "vbank", 1000, 5000, deposited=True, refund=refund))
    sent_part = last(stub, CANCEL)

    assert isinstance(full, Cancelled)
    assert isinstance(part, Cancelled)
    assert (sent_full["mod_type"], sent_full["mod_sub_type"], sent_full["mod_bankcode"]) == (
        "STHD",
        "MDSC00",
        "BK04",
    )
    assert (sent_part["mod_type"], sent_part["mod_sub_type"], sent_part["rem_mny"]) == (
        "STPD",
        "MDSC03",
        "5000",
    )


async def test_cancels_refused_before_asking_kcp(connector: KcpConnector, stub: StubKcp) -> None:
    too_much = await connector.cancel(CancelRequest("1", "card", 2000, 1000))
    no_account = await connector.cancel(CancelRequest("1", "vbank", None, 1000, deposited=True))
    bad_bank = await connector.cancel(
        CancelRequest("1", "vbank", None, 1000, deposited=True, refund=RefundAccount("999", "1", "x"))
    )

    assert isinstance(too_much, Declined)
    assert too_much.reason == "cancel_exceeds_balance"
    assert isinstance(no_account, Declined)
    assert no_account.reason == "refund_account_required"
    assert isinstance(bad_bank, Declined)
    assert bad_bank.reason == "invalid_refund_bank"
    assert stub.requests == []


async def test_inquiry(connector: KcpConnector, stub: StubKcp, credentials: KcpCredentials) -> None:
    stub.replies[INQUIRY] = Reply.json(golden("inquiry_card.json", rem_mny="904", stat_ca_cd="STPC"))

    result = await connector.inquire("20220609985470", "card")

    assert result == Inquiry("20220609985470", PgStatus.PARTIALLY_CANCELLED, 1004, 904, "ORD-1")
    sent = last(stub, INQUIRY)
    assert sent["pay_type"] == "PACA"
    assert credentials.verify("T0000^20220609985470^PACA", sent["kcp_sign_data"])


def channel(pair: Pair, environment: ChannelEnvironment, *, key: Path | None = None) -> PgChannel:
    return PgChannel(
        id=1,
        merchant_id=1,
        pg_provider="kcp",
        site_code="T0000",
        environment=environment,
        is_default=True,
        certificate_path=str(pair.certificate),
        private_key_path=str(key or pair.key),
        private_key_password=pair.password,
        batch_group_id="T00001000001",
    )


async def test_connector_for_channel_picks_the_base_url(pair: Pair, http: httpx.AsyncClient) -> None:
    sandbox = connector_for_channel(
        channel(pair, ChannelEnvironment.SANDBOX),
        http=http,
        sandbox_base_url="http://127.0.0.1:8000/sandbox/",
    )
    stage = connector_for_channel(
        channel(pair, ChannelEnvironment.STAGE), http=http, sandbox_base_url="http://x"
    )
    production = connector_for_channel(
        channel(pair, ChannelEnvironment.PRODUCTION), http=http, sandbox_base_url="http://x"
    )

    assert "http://127.0.0.1:8000/sandbox'" in repr(sandbox)
    assert STAGE_BASE_URL in repr(stage)
    assert PRODUCTION_BASE_URL in repr(production)


async def test_connector_for_channel_refuses_a_mismatched_key_for_real_kcp(
    pair: Pair, other_pair: Pair, http: httpx.AsyncClient
) -> None:
    with pytest.raises(ConfigurationError, match="does not belong to the certificate"):
        connector_for_channel(
            channel(pair, ChannelEnvironment.STAGE, key=other_pair.key),
            http=http,
            sandbox_base_url="http://x",
        )
    with pytest.raises(ConfigurationError, match="certificate file"):
        connector_for_channel(
            PgChannel(1, 1, "kcp", "T0000", ChannelEnvironment.PRODUCTION, True),
            http=http,
            sandbox_base_url="http://x",
        )


async def test_from_files(pair: Pair, http: httpx.AsyncClient) -> None:
    connector = KcpConnector.from_files(
        site_cd="T0000",
        certificate_path=pair.certificate,
        private_key_path=pair.key,
        key_password=pair.password,
        base_url="http://127.0.0.1:1",
        http=http,
    )

    assert connector.site_cd == "T0000"
    assert pair.password not in repr(connector)


# --- virtual accounts by API ---------------------------------------------------------------

#: 2026-03-05 23:59:59 KST.
VBANK_DUE = 1_772_722_799


def vbank_request(**overrides: Any) -> VirtualAccountRequest:
    values: dict[str, Any] = {
        "order_id": "ORD-1",
        "amount": 25000,
        "name": "가상계좌 상품",
        "bank_code": "004",
        "due_at": VBANK_DUE,
        "holder": "홈포트상점",
        "buyer": Buyer(name="홍길동", email="buyer@example.com", tel="01012345678"),
    }
    values.update(overrides)
    return VirtualAccountRequest(**values)


async def test_a_virtual_account_is_issued_on_the_hub_and_read_from_v000(
    connector: KcpConnector, stub: StubKcp
) -> None:
    """kcp.md §7: VCNT/41100000 with BKxx and the deadline in KST; V000 is a success."""
    stub.replies[HUB] = Reply.json(golden("vbank_issue.json"))

    result = await connector.issue_virtual_account(vbank_request())

    assert isinstance(result, Approved)
    assert (result.pg_tid, result.amount, result.pay_method) == ("20260302985470", 25000, "vbank")
    account = result.virtual_account
    assert account is not None
    assert (account.bank_code, account.bank_name, account.number) == ("004", "국민은행", "T1109260001857")
    assert account.holder == "한국사이버결제"  # KCP names the account, not the merchant's holder
    assert account.due_at == VBANK_DUE
    sent = last(stub, HUB)
    assert (sent["pay_method"], sent["va_txtype"], sent["va_bankcode"]) == ("VCNT", "41100000", "BK04")
    assert (sent["amount"], sent["va_mny"], sent["va_date"]) == ("25000", "25000", "20260305235959")
    assert (sent["va_name"], sent["buyr_name"], sent["ordr_idxx"]) == ("홍길동", "홍길동", "ORD-1")
    assert "tax_flag" not in sent


async def test_a_virtual_account_at_shinhan_uses_kcps_vbank_code(
    connector: KcpConnector, stub: StubKcp
) -> None:
    """신한 is 26 among KCP's virtual-account banks (kcp.md §11.6); without a buyer name the
    holder asked for is the va_name; a tax-free part sends the tax fields."""
    stub.replies[HUB] = Reply.json({**golden("vbank_issue.json"), "bankcode": "BK26", "bankname": "신한은행"})

    result = await connector.issue_virtual_account(
        vbank_request(bank_code="088", buyer=Buyer(), tax_free=25000)
    )

    assert isinstance(result, Approved)
    assert result.virtual_account is not None
    assert result.virtual_account.bank_code == "088"
    sent = last(stub, HUB)
    assert (sent["va_bankcode"], sent["va_name"], sent["tax_flag"]) == ("BK26", "홈포트상점", "TG02")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"escrow": True}, "escrow_not_supported"),
        ({"bank_code": "999"}, "invalid_vbank_bank"),
        ({"bank_code": "국민"}, "invalid_vbank_bank"),
        ({"due_at": 0}, "invalid_request"),
        ({"amount": 0}, "invalid_request"),
        ({"tax_free": 25001}, "invalid_request"),
    ],
)
async def test_a_virtual_account_homeport_can_tell_is_wrong_is_not_sent(
    connector: KcpConnector, stub: StubKcp, overrides: dict[str, Any], reason: str
) -> None:
    result = await connector.issue_virtual_account(vbank_request(**overrides))

    assert isinstance(result, Declined)
    assert (result.reason, result.pg_code) == (reason, "")
    assert stub.requests == []


async def test_a_refused_virtual_account_is_a_decline(connector: KcpConnector, stub: StubKcp) -> None:
    stub.replies[HUB] = Reply.json({"res_cd": "8737", "res_msg": "가상계좌를 발급할 수 없는 은행입니다."})

    result = await connector.issue_virtual_account(vbank_request(bank_code="089"))

    assert isinstance(result, Declined)
    assert (result.reason, result.pg_code) == ("vbank_bank_unavailable", "8737")


async def test_a_virtual_account_without_its_number_is_outcome_unknown(
    connector: KcpConnector, stub: StubKcp
) -> None:
    """V000 without an account: it exists at KCP, but the buyer cannot be told where to pay."""
    stub.replies[HUB] = Reply.json({"res_cd": "V000", "res_msg": "정상처리", "tno": "20260302985470"})

    with pytest.raises(PgOutcomeUnknown):
        await connector.issue_virtual_account(vbank_request())


async def test_an_unpaid_virtual_account_is_revoked_with_stsc(connector: KcpConnector, stub: StubKcp) -> None:
    """kcp.md §4.2: STSC also cancels a virtual account before deposit; no refund account."""
    stub.replies[CANCEL] = Reply.json(
        {"res_cd": "0000", "tno": "20260302985470", "canc_time": "20260302110000"}
    )

    result = await connector.cancel(
        CancelRequest(pg_tid="20260302985470", pay_method="vbank", amount=None, remaining_before=25000)
    )

    assert isinstance(result, Cancelled)
    assert (result.cancelled_amount, result.remaining) == (25000, 0)
    sent = last(stub, CANCEL)
    assert sent["mod_type"] == "STSC"
    assert "mod_bankcode" not in sent


# --- escrow deliveries ---------------------------------------------------------------------


def delivery(**overrides: Any) -> EscrowDelivery:
    values: dict[str, Any] = {
        "pg_tid": "20260302985470",
        "company": "CJGLS",
        "invoice": " 123456789012 ",
        "sent_at": 1_772_416_800,
        "sender": EscrowParty(name="홈포트상점", tel="0212345678", address="서울시 구로구"),
        "receiver": EscrowParty(name="홍길동", tel="01012345678", address="서울시 중구", postcode="04500"),
    }
    values.update(overrides)
    return EscrowDelivery(**values)


async def test_an_escrow_delivery_is_ste1_signed_like_a_cancel(
    connector: KcpConnector, stub: StubKcp, credentials: KcpCredentials
) -> None:
    """kcp.md §4.2, §8: STE1 with deli_numb and deli_corp (the courier's name: no code list)."""
    stub.replies[CANCEL] = Reply.json(golden("escrow_delivery.json"))

    result = await connector.register_escrow_delivery(delivery())

    assert result == EscrowRegistered(
        pg_tid="20220609985470",
        company="CJGLS",
        invoice="123456789012",
        sent_at=1_772_416_800,
        registered_at=methods.kcp_time_to_unix("20260302110000") or -1,
    )
    sent = last(stub, CANCEL)
    assert (sent["mod_type"], sent["tno"], sent["deli_numb"], sent["deli_corp"]) == (
        "STE1",
        "20260302985470",
        "123456789012",
        "CJ대한통운",
    )
    assert credentials.verify("T0000^20260302985470^STE1", sent["kcp_sign_data"])
    assert not {"mod_mny", "rem_mny"} & set(sent)
    assert "홍길동" not in json.dumps(sent, ensure_ascii=False)  # KCP takes no parties


async def test_an_escrow_delivery_with_an_unknown_courier_is_etc(
    connector: KcpConnector, stub: StubKcp
) -> None:
    stub.replies[CANCEL] = Reply.json({"res_cd": "0000", "res_msg": "정상처리"})

    result = await connector.register_escrow_delivery(delivery(company="NOSUCH"))

    assert isinstance(result, EscrowRegistered)
    assert (result.company, result.pg_tid, result.registered_at) == ("ETC", "20260302985470", 0)
    assert last(stub, CANCEL)["deli_corp"] == "기타"


async def test_an_escrow_delivery_on_a_payment_without_escrow_is_declined(
    connector: KcpConnector, stub: StubKcp
) -> None:
    stub.replies[CANCEL] = Reply.json({"res_cd": "8735", "res_msg": "에스크로 결제가 아닌 거래입니다."})

    result = await connector.register_escrow_delivery(delivery())

    assert isinstance(result, Declined)
    assert (result.reason, result.pg_code) == ("not_escrow_payment", "8735")


async def test_an_escrow_delivery_without_a_waybill_is_not_sent(
    connector: KcpConnector, stub: StubKcp
) -> None:
    result = await connector.register_escrow_delivery(delivery(invoice="  "))

    assert isinstance(result, Declined)
    assert result.reason == "invalid_request"
    assert stub.requests == []


def test_escrow_parties_keep_personal_data_out_of_repr() -> None:
    shown = repr(delivery())
    assert "01012345678" not in shown
    assert "서울시" not in shown
    assert "홍길동" in shown


@pytest.mark.parametrize(
    ("card_mask_no", "stored"),
    [
        ("4111-1111-****-1111", "41111111****1111"),  # batch_cardno_return_yn=Y (kcp.md §6.1)
        ("1111", "1111"),  # L: the last four digits
        ("4111111111111111", None),  # a clear number is never taken as a mask
        ("", None),
    ],
)
async def test_a_window_key_takes_the_masked_card_number_the_window_returned(
    connector: KcpConnector, stub: StubKcp, card_mask_no: str, stored: str | None
) -> None:
    """The issuance answer has no card number (§6.3); the window's card_mask_no is kept, masked."""
    stub.replies[APPROVAL] = Reply.json(golden("batch_key_issue.json"))
    fields = {"res_cd": "0000", "enc_data": "E", "enc_info": "I", "tran_cd": "00300001"}

    result = await connector.issue_billing_key(WindowResult(fields={**fields, "card_mask_no": card_mask_no}))

    assert isinstance(result, BillingKeyIssued)
    assert result.card.masked_number == stored
