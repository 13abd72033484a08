"""KCP common notifications (TX00): EUC-KR or UTF-8 forms, op_cd 13, garbage refused."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from homeport.domain.errors import InvalidRequest
from homeport.pg.base import NotificationKind
from homeport.pg.kcp import KcpConnector
from homeport.pg.kcp.connector import read_common_notification
from homeport.pg.kcp.methods import kcp_time_to_unix

FORM = "application/x-www-form-urlencoded"
ACK = '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>'


def tx00(**overrides: str) -> dict[str, str]:
    fields = {
        "site_cd": "T0000", "tno": "20260302123456", "order_no": "ORD-1", "tx_cd": "TX00",
        "tx_tm": "20260302101500", "ipgm_name": "홍길동", "remitter": "김입금", "ipgm_mnyx": "5000",
        "totl_mnyx": "5000", "ipgm_time": "20260302101459", "bank_code": "20", "account": "T1109260001857",
        "op_cd": "50", "noti_id": "20260302101500000001", "cash_a_no": "", "cash_a_dt": "", "cash_no": "",
    }  # fmt: skip
    fields.update(overrides)
    return fields


def encoded(fields: dict[str, str], charset: str) -> bytes:
    return urlencode(fields, encoding=charset).encode("ascii")


@pytest.mark.parametrize(
    ("charset", "char_set_field", "content_type"),
    [
        ("euc-kr", "EUC-KR", FORM),
        ("cp949", "", f"{FORM}; charset=euc-kr"),
        ("euc-kr", "", FORM),  # no hint at all: UTF-8 fails, CP949 is tried
        ("utf-8", "UTF-8", FORM),
        ("utf-8", "", f"{FORM}; charset=utf-8"),
        ("utf-8", "", ""),
    ],
)
def test_a_deposit_is_read_in_any_charset(
    connector: KcpConnector, charset: str, char_set_field: str, content_type: str
) -> None:
    fields = tx00(char_set=char_set_field) if char_set_field else tx00()

    notification = connector.parse_notification(encoded(fields, charset), content_type)

    assert notification.kind is NotificationKind.DEPOSIT
    assert notification.depositor == "김입금"
    assert notification.notification_id == "20260302101500000001"
    assert notification.pg_tid == "20260302123456"
    assert notification.order_id == "ORD-1"
    assert (notification.amount, notification.total_deposited) == (5000, 5000)
    assert notification.account == "T1109260001857"
    assert notification.occurred_at == kcp_time_to_unix("20260302101459")
    assert notification.acknowledgement == ACK
    assert notification.acknowledgement_content_type.startswith("text/html")


def test_op_cd_13_is_a_cancelled_deposit(connector: KcpConnector) -> None:
    notification = connector.parse_notification(encoded(tx00(op_cd="13"), "euc-kr"), FORM)

    assert notification.kind is NotificationKind.DEPOSIT_CANCELLED
    assert notification.raw_kind == "TX00/13"


@pytest.mark.parametrize("op_cd", ["50", "01", "18", ""])
def test_every_other_op_cd_is_a_deposit(connector: KcpConnector, op_cd: str) -> None:
    notification = connector.parse_notification(encoded(tx00(op_cd=op_cd), "utf-8"), FORM)

    assert notification.kind is NotificationKind.DEPOSIT


def test_other_tx_codes_are_other(connector: KcpConnector) -> None:
    fields = {"site_cd": "T0000", "tno": "1", "order_no": "O", "tx_cd": "TX02", "tx_tm": "20260302101500"}

    notification = connector.parse_notification(encoded(fields, "utf-8"), FORM)

    assert notification.kind is NotificationKind.OTHER
    assert notification.notification_id  # derived when KCP sends no noti_id


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"this is not a form",
        b'{"site_cd": "T0000", "tx_cd": "TX00"}',
        b"site_cd=T0000&tno=1",  # no tx_cd
        b"site_cd=T0000&tno=1&tx_cd=HELLO",
        b"site_cd=T0000&tno=1&tx_cd=TX00&ipgm_mnyx=abc",
        b"site_cd=T0000&tno=1&tx_cd=TX00",  # a deposit without an amount
    ],
)
def test_garbage_is_refused(connector: KcpConnector, body: bytes) -> None:
    with pytest.raises(InvalidRequest):
        connector.parse_notification(body, FORM)


def test_json_is_refused(connector: KcpConnector) -> None:
    with pytest.raises(InvalidRequest, match="x-www-form-urlencoded"):
        connector.parse_notification(encoded(tx00(), "utf-8"), "application/json")


def test_another_sites_notification_is_refused(connector: KcpConnector) -> None:
    with pytest.raises(InvalidRequest, match="site"):
        connector.parse_notification(encoded(tx00(site_cd="T0007"), "utf-8"), FORM)


def test_a_trailing_ampersand_does_not_make_a_deposit_unreadable(connector: KcpConnector) -> None:
    """KCP re-sends until we answer 0000; a harmless "&" must not refuse the deposit forever."""
    body = encoded(tx00(), "euc-kr") + b"&"

    notification = connector.parse_notification(body, FORM)

    assert notification.kind is NotificationKind.DEPOSIT
    assert notification.amount == 5000


@pytest.mark.parametrize("charset", ["hex", "base64", "idna", "no-such-charset"])
def test_a_non_text_or_unknown_charset_is_ignored_not_a_crash(connector: KcpConnector, charset: str) -> None:
    """char_set names a text encoding or is ignored; hex/base64 must not raise LookupError."""
    body = encoded({**tx00(), "char_set": charset}, "utf-8")

    assert connector.parse_notification(body, FORM).kind is NotificationKind.DEPOSIT


def test_a_notification_of_any_site_is_read_without_a_connector() -> None:
    """homeport's one notification URL serves every site: the site comes with the notification."""
    notification = read_common_notification(encoded(tx00(site_cd="T0007"), "euc-kr"), FORM)

    assert notification.site == "T0007"
    assert notification.kind is NotificationKind.DEPOSIT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("op_cd", "999"),
        ("noti_id", "1" * 21),
        ("order_no", "O" * 41),
        ("tno", "1" * 21),
        ("site_cd", "T" * 11),
    ],
)
def test_values_longer_than_kcp_documents_are_refused(field: str, value: str) -> None:
    """kcp.md §9.3-9.4: op_cd 2, noti_id <=20, order_no <=40; what is stored always fits."""
    with pytest.raises(InvalidRequest, match=field):
        read_common_notification(encoded(tx00(**{field: value}), "utf-8"), FORM)
