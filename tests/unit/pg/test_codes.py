"""The res_cd table: every code known maps to a stable reason with messages; others pass through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homeport.pg.kcp import codes

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sandbox.md"

#: kcp.md §11.1.
KCP_CODES = ("0000", "V000", "3001", "3014", "3017", "5209", "8012", "8059", "8107", "8133", "9502", "S032")


def sandbox_documented_codes() -> set[str]:
    """The res_cd column of docs/sandbox.md's result-code table."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Result codes", 1)[1]
    return set(re.findall(r"^\| `([0-9A-Z]{4})` \|", section, flags=re.MULTILINE))


def test_every_code_kcp_md_knows_is_in_the_table_as_kcp() -> None:
    for res_cd in KCP_CODES:
        assert codes.CODES[res_cd].origin == "kcp", res_cd


def test_every_code_the_sandbox_documents_is_in_the_table() -> None:
    documented = sandbox_documented_codes()
    assert len(documented) >= 20
    missing = documented - set(codes.CODES)
    assert not missing, sorted(missing)
    for res_cd in documented - set(KCP_CODES):
        assert codes.CODES[res_cd].origin == "sandbox", res_cd


@pytest.mark.parametrize("row", list(codes.CODES.values()), ids=lambda row: row.res_cd)
def test_every_code_has_a_snake_case_reason_and_messages(row: codes.KcpCode) -> None:
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", row.reason)
    assert row.message
    assert row.message_en
    if row.reason != codes.SUCCESS_REASON:
        assert row.hint
        declined = codes.declined(row.res_cd, "KCP의 메시지", "kcp message")
        assert declined.reason == row.reason
        assert declined.pg_code == row.res_cd
        assert declined.pg_message == "KCP의 메시지"
        assert declined.message == row.message


def test_reasons_of_the_brief() -> None:
    assert codes.declined("8016").reason == "card_limit_exceeded"
    assert codes.declined("8059").reason == "amount_mismatch"
    assert codes.declined("8133").reason == "already_cancelled"
    assert codes.declined("5209").reason == "billing_group_unusable"
    assert codes.declined("8730").reason == "cancel_exceeds_balance"
    assert codes.declined("3001").reason == "user_cancelled"


def test_unknown_codes_pass_through_with_kcps_message() -> None:
    declined = codes.declined("7777", "알 수 없는 오류", "unknown error")

    assert declined.reason == codes.UNKNOWN_REASON == "pg_declined"
    assert declined.pg_code == "7777"
    assert declined.message == "알 수 없는 오류"
    assert declined.message_en == "unknown error"
    assert declined.pg_message == "알 수 없는 오류"
    assert declined.hint


def test_a_missing_code_still_makes_a_decline() -> None:
    declined = codes.declined("", "")

    assert declined.reason == "pg_declined"
    assert declined.message
    assert "missing" in declined.message_en


def test_local_declines_have_no_pg_code() -> None:
    declined = codes.local_decline("refund_account_required")

    assert declined.pg_code == ""
    assert declined.message
    assert declined.message_en
    assert declined.hint
