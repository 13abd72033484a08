"""Scenarios: payment windows of every method, declines at approval, tampered amounts."""

from __future__ import annotations

from homeport.pg.base import Approved, PgConnector, PgStatus
from homeport.testing.connector_conformance.checks import (
    check,
    check_card_approval,
    check_time,
    expect_approved,
    expect_declined_by_pg,
    expect_standing,
)
from homeport.testing.connector_conformance.flows import approve_window, complete_window, window_order
from homeport.testing.connector_conformance.target import AMOUNT_MISMATCH, ConformanceError, ConformanceTarget


async def card_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A card window's result approves: pg_tid, amount, time, approval number, card company and
    a masked card number ending in the typed card's last four digits."""
    order = window_order(target, "card", "card")
    _, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, "approving a card window")
    check_card_approval(
        target, approved, amount=order.amount, card_number=order.card_number, what="card window"
    )
    check(approved.virtual_account is None, "card window: a card approval carries a virtual account")


async def transfer_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A bank-transfer window approves as ``trans`` with the buyer's bank."""
    order = window_order(target, "trans", "trans")
    _, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, "approving a transfer window")
    check(bool(approved.pg_tid), "transfer: no pg_tid")
    check(approved.amount == order.amount, f"transfer: amount {approved.amount}, expected {order.amount}")
    check(approved.pay_method == "trans", f"transfer: pay_method {approved.pay_method!r}, expected 'trans'")
    check_time(target, approved.approved_at, "transfer: approved_at")
    bank = approved.bank
    if bank is None:
        raise ConformanceError("transfer: no bank details")
    check(bool(bank.code or bank.name), f"transfer: the bank is unknown: {bank!r}")


async def vbank_window_issues_a_virtual_account(connector: PgConnector, target: ConformanceTarget) -> None:
    """A virtual-account window approves as ``vbank`` with the account: bank, number, holder and a
    deposit deadline in the future."""
    order = window_order(target, "vbank", "vbank")
    _, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, "approving a virtual-account window")
    check(bool(approved.pg_tid), "vbank: no pg_tid")
    check(approved.amount == order.amount, f"vbank: amount {approved.amount}, expected {order.amount}")
    check(approved.pay_method == "vbank", f"vbank: pay_method {approved.pay_method!r}, expected 'vbank'")
    account = approved.virtual_account
    if account is None:
        raise ConformanceError("vbank: no virtual account")
    check(bool(account.number), f"vbank: no account number: {account!r}")
    check(bool(account.bank_code or account.bank_name), f"vbank: the bank is unknown: {account!r}")
    check(account.due_at > 0, f"vbank: no deposit deadline: {account!r}")
    if target.now is not None:
        check(account.due_at > target.now(), f"vbank: deadline {account.due_at} is already past")
    if account.issued_at:
        check(account.due_at > account.issued_at, f"vbank: deadline before issue: {account!r}")


async def _simple_method(connector: PgConnector, target: ConformanceTarget, pay_method: str) -> Approved:
    order = window_order(target, pay_method[:6], pay_method)
    _, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, f"approving a {pay_method} window")
    check(bool(approved.pg_tid), f"{pay_method}: no pg_tid")
    check(approved.amount == order.amount, f"{pay_method}: amount {approved.amount}, expected {order.amount}")
    check_time(target, approved.approved_at, f"{pay_method}: approved_at")
    return approved


async def phone_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A mobile-phone window approves as ``phone``."""
    approved = await _simple_method(connector, target, "phone")
    check(approved.pay_method == "phone", f"phone: pay_method {approved.pay_method!r}, expected 'phone'")


async def point_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A point window approves as ``point``."""
    approved = await _simple_method(connector, target, "point")
    check(approved.pay_method == "point", f"point: pay_method {approved.pay_method!r}, expected 'point'")


async def gift_certificate_window_payment_is_approved(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A 문화상품권 (``cultureland``) window approves as ``cultureland``."""
    approved = await _simple_method(connector, target, "cultureland")
    check(
        approved.pay_method == "cultureland",
        f"gift certificate: pay_method {approved.pay_method!r}, expected 'cultureland'",
    )


async def easy_pay_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A KakaoPay window approves with ``emb_pg_provider`` ``kakaopay`` (pay_method as i'mport
    reports it: ``kakaopay``, or the card or point KakaoPay paid with)."""
    order = window_order(target, "kakao", "kakaopay")
    _, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, "approving a KakaoPay window")
    check(bool(approved.pg_tid), "kakaopay: no pg_tid")
    check(approved.amount == order.amount, f"kakaopay: amount {approved.amount}, expected {order.amount}")
    check(
        approved.pay_method in {"kakaopay", "card", "point"},
        f"kakaopay: pay_method {approved.pay_method!r}, expected kakaopay, card or point",
    )
    check(
        approved.emb_pg_provider == "kakaopay",
        f"kakaopay: emb_pg_provider {approved.emb_pg_provider!r}, expected 'kakaopay'",
    )
    check_time(target, approved.approved_at, "kakaopay: approved_at")


async def declining_card_is_declined_at_approval(connector: PgConnector, target: ConformanceTarget) -> None:
    """The target's declining card passes the window and is refused at approval: a Declined with a
    reason, messages and the PG's code; nothing is approved."""
    if target.declining_card is None:
        raise ConformanceError(f"{target.name}: this scenario needs a declining card")
    order = window_order(target, "decl", "card", card_number=target.declining_card)
    _, answer = await approve_window(connector, target, order)
    declined = expect_declined_by_pg(answer, "approving a window paid with the declining card")
    if target.declining_pg_code is not None:
        check(
            declined.pg_code == target.declining_pg_code,
            f"declining card: pg_code {declined.pg_code!r}, expected {target.declining_pg_code!r}",
        )
    check(declined.reason != AMOUNT_MISMATCH, "declining card: reported as an amount mismatch")


async def tampered_amount_is_declined(connector: PgConnector, target: ConformanceTarget) -> None:
    """Approving a window for another amount than the buyer authenticated is Declined
    ``amount_mismatch`` (KCP 8059): a page's changed amount can never be approved."""
    order = window_order(target, "tamp", "card")
    result = await complete_window(connector, target, order)
    answer = await connector.approve(
        result, order_id=order.order_id, amount=order.amount - 4, pay_method="card"
    )
    declined = expect_declined_by_pg(answer, "approving a window for a changed amount")
    check(
        declined.reason == AMOUNT_MISMATCH,
        f"changed amount: reason {declined.reason!r}, expected {AMOUNT_MISMATCH!r}",
    )
    if target.amount_mismatch_pg_code is not None:
        check(
            declined.pg_code == target.amount_mismatch_pg_code,
            f"changed amount: pg_code {declined.pg_code!r}, expected {target.amount_mismatch_pg_code!r}",
        )


async def window_result_approves_only_once(connector: PgConnector, target: ConformanceTarget) -> None:
    """A window's result approves once; approving it again is Declined and the first payment
    stands unchanged."""
    order = window_order(target, "twice", "card")
    result, answer = await approve_window(connector, target, order)
    approved = expect_approved(answer, "approving a card window")
    again = await connector.approve(result, order_id=order.order_id, amount=order.amount, pay_method="card")
    expect_declined_by_pg(again, "approving the same window result a second time")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=order.amount,
        order_id=order.order_id,
        what="inquiry after a repeated approval",
    )
