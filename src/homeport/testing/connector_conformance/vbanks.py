"""Scenarios: virtual accounts issued without a window (i'mport ``POST /vbanks``).

An account is issued at the target's bank (``vbank_bank_code``) with a deadline three days
after the target's clock, checked field by field and by inquiry; it is revoked before any
deposit with an ordinary full cancel; with the target's deposit tool it is paid, the PG's
notification is read back through the connector, and the paid account is refunded.
"""

from __future__ import annotations

from homeport.domain.money import Won
from homeport.pg.base import (
    Approved,
    CancelRequest,
    NotificationKind,
    PgConnector,
    PgStatus,
    RefundAccount,
    VirtualAccountRequest,
)
from homeport.testing.connector_conformance.checks import (
    check,
    check_time,
    expect_approved,
    expect_cancelled,
    expect_declined,
    expect_standing,
)
from homeport.testing.connector_conformance.flows import BUYER, cancel_fully, new_order_id
from homeport.testing.connector_conformance.target import (
    ConformanceError,
    ConformanceTarget,
    SentNotification,
    VbankDeposit,
)

#: How long after the target's "now" an account's deposit deadline is.
DEADLINE_SECONDS = 3 * 24 * 3600

#: Where a paid account's money goes back to (any well-formed account at a known bank).
REFUND_ACCOUNT = RefundAccount(bank_code="004", account="12345678901234", holder="홍길동")


def vbank_request(target: ConformanceTarget, label: str) -> VirtualAccountRequest:
    """A virtual account of the target's amount at its bank, due three days from its clock."""
    if target.vbank_bank_code is None or target.now is None:
        raise ConformanceError(f"{target.name}: this scenario needs vbank_bank_code and now")
    return VirtualAccountRequest(
        order_id=new_order_id(target, label),
        amount=target.amount,
        name="적합성 시험 가상계좌",
        bank_code=target.vbank_bank_code,
        due_at=target.now() + DEADLINE_SECONDS,
        holder="적합성시험상점",
        buyer=BUYER,
    )


async def issue(connector: PgConnector, target: ConformanceTarget, label: str) -> tuple[Approved, str]:
    """Issue an account and check it: ``vbank``, the amount, the bank asked for, a number, a
    holder and the deadline asked for; inquiry finds it approved with all of it left."""
    request = vbank_request(target, label)
    approved = expect_approved(await connector.issue_virtual_account(request), "issuing a virtual account")
    what = "virtual account by API"
    check(bool(approved.pg_tid), f"{what}: no pg_tid")
    check(approved.amount == request.amount, f"{what}: amount {approved.amount}, expected {request.amount}")
    check(approved.pay_method == "vbank", f"{what}: pay_method {approved.pay_method!r}, expected 'vbank'")
    account = approved.virtual_account
    if account is None:
        raise ConformanceError(f"{what}: no virtual account")
    check(bool(account.number), f"{what}: no account number: {account!r}")
    check(
        account.bank_code == request.bank_code,
        f"{what}: bank {account.bank_code!r}, expected {request.bank_code!r}: {account!r}",
    )
    check(bool(account.bank_name), f"{what}: no bank name: {account!r}")
    # The holder is the PG's to name (KCP names its accounts itself): present, not equal.
    check(bool(account.holder), f"{what}: no account holder: {account!r}")
    check(
        account.due_at == request.due_at,
        f"{what}: deadline {account.due_at}, expected {request.due_at} "
        f"({account.due_at - request.due_at:+d} s: a time zone read wrongly?)",
    )
    if account.issued_at:
        check_time(target, account.issued_at, f"{what}: issued_at")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=approved.amount,
        order_id=request.order_id,
        what=f"inquiry after issuing a {what}",
    )
    return approved, request.order_id


async def vbank_issued_by_api_carries_the_account(connector: PgConnector, target: ConformanceTarget) -> None:
    """A virtual account issued without a window approves as ``vbank`` with the account: the bank
    asked for, a number, a holder and exactly the deadline asked for; inquiry finds it approved
    with all of it left."""
    await issue(connector, target, "vapi")


async def unpaid_vbank_issued_by_api_is_revoked_by_cancel(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """An account not paid yet is revoked by a full cancel (no refund account): nothing is left
    and inquiry finds it cancelled; with a deposit tool, a deposit is then refused."""
    approved, order_id = await issue(connector, target, "vrev")
    await cancel_fully(
        connector, target, approved, remaining_before=approved.amount, what="revoking an unpaid account"
    )
    await expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after revoking an unpaid account",
    )
    if target.vbank_deposit is not None:
        sent = await target.vbank_deposit(approved, approved.amount)
        check(sent is None, "a deposit into a revoked account was taken (and notified)")


def _deposit_tool(target: ConformanceTarget) -> VbankDeposit:
    if target.vbank_deposit is None:
        raise ConformanceError(f"{target.name}: this scenario needs a deposit tool (vbank_deposit)")
    return target.vbank_deposit


def _read_deposit(
    connector: PgConnector, sent: SentNotification, approved: Approved, order_id: str, amount: Won
) -> None:
    """The PG's notification of a deposit of ``amount`` into ``approved``'s account."""
    notification = connector.parse_notification(sent.body, sent.content_type)
    what = "the deposit notification"
    check(notification.kind == NotificationKind.DEPOSIT, f"{what}: kind {notification.kind!r}")
    check(notification.pg_tid == approved.pg_tid, f"{what}: pg_tid {notification.pg_tid!r}")
    check(
        notification.order_id == order_id,
        f"{what}: order_id {notification.order_id!r}, expected {order_id!r}",
    )
    check(notification.amount == amount, f"{what}: amount {notification.amount}, expected {amount}")
    check(notification.total_deposited == amount, f"{what}: total {notification.total_deposited}")
    number = approved.virtual_account.number if approved.virtual_account else None
    check(
        notification.account in (None, number),
        f"{what}: account {notification.account!r}, expected {number!r}",
    )
    check(bool(notification.notification_id), f"{what}: no notification id (needed to de-duplicate)")
    check(bool(notification.acknowledgement), f"{what}: no acknowledgement body for the PG")


async def deposit_into_vbank_issued_by_api_is_notified(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """Paying an account issued without a window makes the PG notify a deposit that the
    connector reads back (the account's pg_tid, order and amount); the paid account is then not
    cancelled without a refund account, and is refunded in full with one."""
    deposit = _deposit_tool(target)
    approved, order_id = await issue(connector, target, "vdep")
    sent = await deposit(approved, approved.amount)
    if sent is None:
        raise ConformanceError("the PG refused a deposit into an account it has just issued")
    _read_deposit(connector, sent, approved, order_id, approved.amount)

    def refund(account: RefundAccount | None) -> CancelRequest:
        return CancelRequest(
            pg_tid=approved.pg_tid,
            pay_method="vbank",
            amount=None,
            remaining_before=approved.amount,
            reason="적합성 시험 환불",
            refund=account,
            deposited=True,
        )

    expect_declined(await connector.cancel(refund(None)), "refunding a paid account without a refund account")
    refunded = expect_cancelled(await connector.cancel(refund(REFUND_ACCOUNT)), "refunding a paid account")
    check(refunded.cancelled_amount == approved.amount, f"refund: {refunded.cancelled_amount} refunded")
    check(refunded.remaining == 0, f"refund: remaining {refunded.remaining}, expected 0")
