"""What every :class:`~homeport.pg.base.PgConnector` must do, as runnable scenarios.

Each scenario is an async function ``(connector, target) -> None`` that drives a connector
through one flow of the protocol in :mod:`homeport.pg.base` and raises
:class:`ConformanceError` (an ``AssertionError``) when the connector does not behave as the
protocol says. The same scenarios run against the KCP sandbox in homeport's own test suite
(``tests/conformance``) and against KCP's stage server (``tests/kcp_stage``); a new PG
connector runs them against its PG's test server.

A :class:`ConformanceTarget` says what the PG side offers: a way to complete a payment window
(a callable that plays the buyer), a billing group, key-in payments, a card the PG declines,
and whether faults (a reply held past the client's timeout, HTTP 500...) can be injected.
:attr:`Scenario.unmet` tells why a scenario cannot run against a target; nothing here skips
by itself.

Each :class:`Scenario` also names the connector it needs (:class:`ConnectorKind`): the
target's ordinary channel, one whose site issues billing keys, one whose HTTP client gives up
reading sooner than the target holds a reply, or one pointed where nothing listens. The
harness builds those; the scenarios only call the protocol.

With pytest::

    @pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
    async def test_connector(scenario: Scenario, connectors, target: ConformanceTarget) -> None:
        assert scenario.unmet(target) is None
        await scenario.run(connectors[scenario.connector], target)

Order ids are fresh random alphanumerics (KCP takes at most 40), so scenarios can run again
against a server that keeps its state. Payments a scenario approves are mostly left as they
are; the cancel and billing scenarios cancel what they charge.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from homeport.domain.errors import PgOutcomeUnknown, PgUnavailable
from homeport.domain.money import Won
from homeport.pg.base import (
    Approved,
    BillingKeyIssued,
    Buyer,
    Cancelled,
    CancelRequest,
    CardInput,
    Charge,
    Declined,
    Inquiry,
    PgConnector,
    PgStatus,
    TradeRequest,
    WindowResult,
)

__all__ = [
    "AMOUNT_MISMATCH",
    "DEFAULT_KEYIN_CARD",
    "SCENARIOS",
    "ConformanceError",
    "ConformanceTarget",
    "ConnectorKind",
    "FaultInjection",
    "Requirement",
    "Scenario",
    "WindowDriver",
    "WindowOrder",
    "new_order_id",
    "scenario_named",
]

#: How far a time the PG reports may be from the target's clock (KST read as UTC is 9 h off).
CLOCK_TOLERANCE_SECONDS = 15 * 60

#: The stable ``Declined.reason`` for an approval whose amount is not the authenticated one.
AMOUNT_MISMATCH = "amount_mismatch"


class ConformanceError(AssertionError):
    """A connector did not behave as the PgConnector protocol says."""


@dataclass(frozen=True)
class WindowOrder:
    """A payment window to complete: what the merchant ordered and what the buyer does in it."""

    order_id: str
    amount: Won
    name: str
    pay_method: str
    #: The card number the buyer types (card, easy-pay and billing-key windows).
    card_number: str
    #: Set for a billing-key window (no money moves; ``amount`` is only shown).
    billing_group_id: str | None = None
    buyer: Buyer = field(default_factory=Buyer)


#: Plays the buyer: registers the trade with ``connector`` where the PG needs it, completes the
#: window, and returns what the window handed back to the return URL.
WindowDriver = Callable[[PgConnector, WindowOrder], Awaitable[WindowResult]]


@dataclass(frozen=True)
class FaultInjection:
    """How a target is made to misbehave, by the amount of a key-in charge.

    ``find_pg_tids`` lists the PG's transactions for an order id: KCP has no inquiry by order
    number, so after a lost reply the harness must find the transaction its own way (the
    sandbox's records, a PG's merchant admin).
    """

    #: The charge is processed, then its reply is held longer than the client reads.
    timeout_amount: Won
    #: The reply is HTTP 500 with an HTML page.
    server_error_amount: Won
    #: The reply is HTTP 502 with an empty body.
    bad_gateway_amount: Won
    #: The reply is HTTP 200 with a truncated, non-JSON body.
    malformed_amount: Won
    find_pg_tids: Callable[[str], Awaitable[Sequence[str]]]


#: A card that passes the Luhn check and expires far ahead; any test PG should take it.
DEFAULT_KEYIN_CARD = CardInput(
    number="4111111111111111",
    expiry="2035-12",
    birth="800101",
    password_2digit="00",  # noqa: S106 - a test card
)


@dataclass(frozen=True)
class ConformanceTarget:
    """What the PG side offers the scenarios."""

    name: str
    #: Completes payment windows; None when windows need a person (a real PG's stage).
    window: WindowDriver | None = None
    #: The pay methods (homeport's vocabulary) ``window`` can complete.
    window_methods: frozenset[str] = frozenset({"card"})
    #: The card number a buyer types in a window that should approve.
    window_card_number: str = "4111111111111111"
    #: A billing group of the billing connector's site; None: no billing scenarios.
    billing_group_id: str | None = None
    #: Whether the PG takes key-in (card typed in) charges and billing-key issuance.
    keyin: bool = True
    keyin_card: CardInput = DEFAULT_KEYIN_CARD
    #: A card the PG declines at approval or charge, and the PG code it then answers.
    declining_card: str | None = None
    declining_pg_code: str | None = None
    #: The PG code of an approval whose amount differs from the authenticated one.
    amount_mismatch_pg_code: str | None = None
    faults: FaultInjection | None = None
    #: The target's current UNIX time, to check the times the PG reports; None: not checked.
    now: Callable[[], int] | None = None
    #: The amount of simple payments (whole won; not one of the target's fault amounts).
    amount: Won = 1004
    order_prefix: str = "HPC"
    #: A well-formed window return in the PG's own fields (its tokens need not be valid):
    #: what the unreachable-PG scenario tries to approve. None: that call is not tried.
    sample_window_return: Mapping[str, str] | None = None


class ConnectorKind(StrEnum):
    """Which connector a scenario is run with; the harness builds one of each it can."""

    #: The target's ordinary channel.
    STANDARD = "standard"
    #: A channel whose site may issue billing keys in ``target.billing_group_id``.
    BILLING = "billing"
    #: The ordinary channel with an HTTP client that gives up reading sooner than the target
    #: holds a reply (``FaultInjection.timeout_amount``).
    SHORT_READ_TIMEOUT = "short_read_timeout"
    #: The ordinary channel pointed at a base URL where nothing listens (connection refused).
    UNREACHABLE = "unreachable"


class Requirement(StrEnum):
    """What a scenario needs from a target."""

    WINDOW = "window"
    BILLING = "billing"
    KEYIN = "keyin"
    #: A card payment to cancel or inquire: through a window, else key-in.
    PAYMENT = "payment"
    DECLINING_CARD = "declining_card"
    FAULTS = "faults"


ScenarioFunction = Callable[[PgConnector, ConformanceTarget], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One conformance scenario: its name, what it checks, and what it needs."""

    name: str
    summary: str
    run: ScenarioFunction
    connector: ConnectorKind = ConnectorKind.STANDARD
    requires: tuple[Requirement, ...] = ()
    #: For window scenarios: the pay method the window must offer.
    window_method: str | None = None

    def unmet(self, target: ConformanceTarget) -> str | None:
        """Why this scenario cannot run against ``target``, or None when it can."""
        reasons = {
            Requirement.WINDOW: (
                target.window is None,
                "completing a payment window needs a buyer (the target has no window driver)",
            ),
            Requirement.BILLING: (target.billing_group_id is None, "the target has no billing group id"),
            Requirement.KEYIN: (not target.keyin, "the target takes no key-in charges"),
            Requirement.PAYMENT: (
                target.window is None and not target.keyin,
                "a card payment needs a window driver or key-in charges",
            ),
            Requirement.DECLINING_CARD: (target.declining_card is None, "the target names no declining card"),
            Requirement.FAULTS: (target.faults is None, "faults cannot be injected into the target"),
        }
        for requirement in self.requires:
            missing, reason = reasons[requirement]
            if missing:
                return reason
        if self.window_method is not None and self.window_method not in target.window_methods:
            return f"the target's window does not offer pay_method {self.window_method!r}"
        return None


# --- checks --------------------------------------------------------------------------------


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _describe(result: object) -> str:
    if isinstance(result, Declined):
        return (
            f"Declined(reason={result.reason!r}, pg_code={result.pg_code!r}, "
            f"pg_message={result.pg_message!r})"
        )
    return repr(result)


def _approved(result: Approved | Declined, what: str) -> Approved:
    if not isinstance(result, Approved):
        raise ConformanceError(f"{what}: expected Approved, got {_describe(result)}")
    return result


def _declined(result: object, what: str) -> Declined:
    if not isinstance(result, Declined):
        raise ConformanceError(f"{what}: expected Declined, got {_describe(result)}")
    _check(bool(result.reason), f"{what}: Declined.reason is empty: {result!r}")
    _check(bool(result.message), f"{what}: Declined.message is empty: {result!r}")
    return result


def _declined_by_pg(result: object, what: str) -> Declined:
    """A Declined that the PG answered (it carries the PG's code), not one the connector made."""
    declined = _declined(result, what)
    _check(bool(declined.pg_code), f"{what}: expected the PG's refusal, got no pg_code: {declined!r}")
    return declined


def _cancelled(result: Cancelled | Declined, what: str) -> Cancelled:
    if not isinstance(result, Cancelled):
        raise ConformanceError(f"{what}: expected Cancelled, got {_describe(result)}")
    return result


def _check_time(target: ConformanceTarget, at: int, what: str) -> None:
    _check(at > 0, f"{what}: expected a UNIX time, got {at}")
    if target.now is not None:
        now = target.now()
        _check(
            abs(at - now) <= CLOCK_TOLERANCE_SECONDS,
            f"{what}: {at} is {at - now:+d} s from now ({now}); a time zone read wrongly?",
        )


def _check_masked(masked: str | None, card_number: str, what: str) -> None:
    text = masked or ""
    _check(bool(text), f"{what}: no masked card number")
    _check("*" in text, f"{what}: card number {text!r} is not masked")
    _check(card_number not in text.replace("-", ""), f"{what}: the clear card number leaked")
    _check(
        text.endswith(card_number[-4:]),
        f"{what}: masked number {text!r} does not end with the card's last four digits",
    )


def _check_card_approval(
    target: ConformanceTarget, approved: Approved, *, amount: Won, card_number: str, what: str
) -> None:
    _check(bool(approved.pg_tid), f"{what}: no pg_tid")
    _check(approved.amount == amount, f"{what}: amount {approved.amount}, expected {amount}")
    _check(approved.pay_method == "card", f"{what}: pay_method {approved.pay_method!r}, expected 'card'")
    _check_time(target, approved.approved_at, f"{what}: approved_at")
    _check(bool(approved.approval_number), f"{what}: no approval number")
    card = approved.card
    if card is None:
        raise ConformanceError(f"{what}: no card details")
    _check(bool(card.company_code or card.company_name), f"{what}: the card company is unknown: {card!r}")
    _check(card.installment_months == 0, f"{what}: installment_months {card.installment_months}, expected 0")
    _check_masked(card.masked_number, card_number, f"{what}: card")


async def _inquiry(connector: PgConnector, pg_tid: str, pay_method: str, what: str) -> Inquiry:
    result = await connector.inquire(pg_tid, pay_method)
    if not isinstance(result, Inquiry):
        raise ConformanceError(f"{what}: expected Inquiry, got {_describe(result)}")
    _check(result.pg_tid == pg_tid, f"{what}: inquiry answered pg_tid {result.pg_tid!r}, asked {pg_tid!r}")
    return result


async def _expect_standing(
    connector: PgConnector,
    approved: Approved,
    *,
    status: PgStatus,
    remaining: Won,
    order_id: str,
    what: str,
) -> None:
    inquiry = await _inquiry(connector, approved.pg_tid, approved.pay_method, what)
    _check(inquiry.status == status, f"{what}: status {inquiry.status!r}, expected {status!r}")
    _check(inquiry.amount == approved.amount, f"{what}: amount {inquiry.amount}, expected {approved.amount}")
    _check(inquiry.remaining == remaining, f"{what}: remaining {inquiry.remaining}, expected {remaining}")
    _check(
        inquiry.order_id in (None, order_id), f"{what}: order_id {inquiry.order_id!r}, expected {order_id!r}"
    )


# --- building blocks -----------------------------------------------------------------------


def new_order_id(target: ConformanceTarget, label: str) -> str:
    """A fresh order id: the target's prefix, a short label and 12 random hex digits."""
    return f"{target.order_prefix}{label}{secrets.token_hex(6)}"


def _window_order(
    target: ConformanceTarget,
    label: str,
    pay_method: str,
    *,
    amount: Won | None = None,
    card_number: str | None = None,
    billing_group_id: str | None = None,
) -> WindowOrder:
    return WindowOrder(
        order_id=new_order_id(target, label),
        amount=target.amount if amount is None else amount,
        name="적합성 시험 상품",
        pay_method=pay_method,
        card_number=card_number or target.window_card_number,
        billing_group_id=billing_group_id,
        buyer=Buyer(name="홍길동", email="buyer@example.com", tel="01012345678"),
    )


async def _window(connector: PgConnector, target: ConformanceTarget, order: WindowOrder) -> WindowResult:
    if target.window is None:
        raise ConformanceError(f"{target.name}: this scenario needs a window driver")
    result = await target.window(connector, order)
    _check(bool(result.fields), f"window for {order.order_id}: the window returned nothing")
    return result


async def _approve_window(
    connector: PgConnector, target: ConformanceTarget, order: WindowOrder
) -> tuple[WindowResult, Approved | Declined]:
    result = await _window(connector, target, order)
    answer = await connector.approve(
        result, order_id=order.order_id, amount=order.amount, pay_method=order.pay_method
    )
    return result, answer


def _keyin_charge(
    target: ConformanceTarget, order_id: str, amount: Won, card: CardInput | None = None
) -> Charge:
    return Charge(
        order_id=order_id,
        amount=amount,
        name="적합성 시험 수기결제",
        buyer=Buyer(name="홍길동", email="buyer@example.com", tel="01012345678"),
        card=card or target.keyin_card,
        customer_ip="127.0.0.1",
    )


async def _paid_card(
    connector: PgConnector, target: ConformanceTarget, amount: Won, label: str
) -> tuple[Approved, str]:
    """A card payment of ``amount``: through the window when there is one, else key-in."""
    if target.window is not None:
        order = _window_order(target, label, "card", amount=amount)
        _, answer = await _approve_window(connector, target, order)
        return _approved(answer, f"card window payment of {amount}"), order.order_id
    if not target.keyin:
        raise ConformanceError(f"{target.name}: a card payment needs a window driver or key-in")
    order_id = new_order_id(target, label)
    answer = await connector.charge(_keyin_charge(target, order_id, amount))
    return _approved(answer, f"key-in charge of {amount}"), order_id


async def _cancel(
    connector: PgConnector,
    approved: Approved,
    *,
    amount: Won | None,
    remaining_before: Won,
    reason: str = "적합성 시험 취소",
) -> Cancelled | Declined:
    return await connector.cancel(
        CancelRequest(
            pg_tid=approved.pg_tid,
            pay_method=approved.pay_method,
            amount=amount,
            remaining_before=remaining_before,
            reason=reason,
        )
    )


async def _cancel_fully(
    connector: PgConnector, target: ConformanceTarget, approved: Approved, *, remaining_before: Won, what: str
) -> Cancelled:
    cancelled = _cancelled(
        await _cancel(connector, approved, amount=None, remaining_before=remaining_before), what
    )
    _check(
        cancelled.pg_tid == approved.pg_tid,
        f"{what}: pg_tid {cancelled.pg_tid!r}, expected {approved.pg_tid!r}",
    )
    _check(
        cancelled.cancelled_amount == remaining_before,
        f"{what}: cancelled {cancelled.cancelled_amount}, expected everything left ({remaining_before})",
    )
    _check(cancelled.remaining == 0, f"{what}: remaining {cancelled.remaining}, expected 0")
    _check(bool(cancelled.cancellation_id), f"{what}: no cancellation id")
    _check_time(target, cancelled.cancelled_at, f"{what}: cancelled_at")
    return cancelled


def _billing_group(target: ConformanceTarget) -> str:
    if target.billing_group_id is None:
        raise ConformanceError(f"{target.name}: this scenario needs a billing group id")
    return target.billing_group_id


def _check_billing_key(issued: BillingKeyIssued | Declined, group_id: str, what: str) -> BillingKeyIssued:
    if not isinstance(issued, BillingKeyIssued):
        raise ConformanceError(f"{what}: expected BillingKeyIssued, got {_describe(issued)}")
    _check(bool(issued.billing_key), f"{what}: empty billing key")
    _check(issued.group_id == group_id, f"{what}: group_id {issued.group_id!r}, expected {group_id!r}")
    _check(
        bool(issued.card.company_code or issued.card.company_name),
        f"{what}: the card company is unknown: {issued.card!r}",
    )
    _check(issued.billing_key not in repr(issued), f"{what}: repr() shows the billing key")
    return issued


async def _charge_delete_and_refuse(
    connector: PgConnector, target: ConformanceTarget, issued: BillingKeyIssued, *, card_number: str
) -> None:
    """Charge a billing key, cancel the charge, delete the key, and see a charge refused."""
    group_id = issued.group_id
    amount = target.amount + 1000

    def charge(order_id: str) -> Charge:
        return Charge(
            order_id=order_id,
            amount=amount,
            name="적합성 시험 정기결제",
            buyer=Buyer(name="홍길동", email="buyer@example.com", tel="01012345678"),
            billing_key=issued.billing_key,
            billing_group_id=group_id,
            customer_ip="127.0.0.1",
        )

    first_order = new_order_id(target, "bill")
    approved = _approved(await connector.charge(charge(first_order)), "charging the billing key")
    _check(bool(approved.pg_tid), "billing-key charge: no pg_tid")
    _check(approved.amount == amount, f"billing-key charge: amount {approved.amount}, expected {amount}")
    _check(approved.pay_method == "card", f"billing-key charge: pay_method {approved.pay_method!r}")
    _check(bool(approved.approval_number), "billing-key charge: no approval number")
    _check_time(target, approved.approved_at, "billing-key charge: approved_at")
    if approved.card is None:
        raise ConformanceError("billing-key charge: no card details")
    if approved.card.masked_number:
        _check_masked(approved.card.masked_number, card_number, "billing-key charge: card")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=amount,
        order_id=first_order,
        what="inquiry after a billing-key charge",
    )
    await _cancel_fully(
        connector, target, approved, remaining_before=amount, what="cancelling a billing-key charge"
    )

    deleted = await connector.delete_billing_key(issued.billing_key, group_id=group_id)
    _check(deleted is None, f"deleting the billing key: expected None, got {_describe(deleted)}")

    refused = await connector.charge(charge(new_order_id(target, "gone")))
    _declined_by_pg(refused, "charging a deleted billing key")


# --- scenarios: windows --------------------------------------------------------------------


async def card_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A card window's result approves: pg_tid, amount, time, approval number, card company and
    a masked card number ending in the typed card's last four digits."""
    order = _window_order(target, "card", "card")
    _, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, "approving a card window")
    _check_card_approval(
        target, approved, amount=order.amount, card_number=order.card_number, what="card window"
    )
    _check(approved.virtual_account is None, "card window: a card approval carries a virtual account")


async def transfer_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A bank-transfer window approves as ``trans`` with the buyer's bank."""
    order = _window_order(target, "trans", "trans")
    _, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, "approving a transfer window")
    _check(bool(approved.pg_tid), "transfer: no pg_tid")
    _check(approved.amount == order.amount, f"transfer: amount {approved.amount}, expected {order.amount}")
    _check(approved.pay_method == "trans", f"transfer: pay_method {approved.pay_method!r}, expected 'trans'")
    _check_time(target, approved.approved_at, "transfer: approved_at")
    bank = approved.bank
    if bank is None:
        raise ConformanceError("transfer: no bank details")
    _check(bool(bank.code or bank.name), f"transfer: the bank is unknown: {bank!r}")


async def vbank_window_issues_a_virtual_account(connector: PgConnector, target: ConformanceTarget) -> None:
    """A virtual-account window approves as ``vbank`` with the account: bank, number, holder and a
    deposit deadline in the future."""
    order = _window_order(target, "vbank", "vbank")
    _, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, "approving a virtual-account window")
    _check(bool(approved.pg_tid), "vbank: no pg_tid")
    _check(approved.amount == order.amount, f"vbank: amount {approved.amount}, expected {order.amount}")
    _check(approved.pay_method == "vbank", f"vbank: pay_method {approved.pay_method!r}, expected 'vbank'")
    account = approved.virtual_account
    if account is None:
        raise ConformanceError("vbank: no virtual account")
    _check(bool(account.number), f"vbank: no account number: {account!r}")
    _check(bool(account.bank_code or account.bank_name), f"vbank: the bank is unknown: {account!r}")
    _check(account.due_at > 0, f"vbank: no deposit deadline: {account!r}")
    if target.now is not None:
        _check(account.due_at > target.now(), f"vbank: deadline {account.due_at} is already past")
    if account.issued_at:
        _check(account.due_at > account.issued_at, f"vbank: deadline before issue: {account!r}")


async def _simple_method(connector: PgConnector, target: ConformanceTarget, pay_method: str) -> Approved:
    order = _window_order(target, pay_method[:6], pay_method)
    _, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, f"approving a {pay_method} window")
    _check(bool(approved.pg_tid), f"{pay_method}: no pg_tid")
    _check(
        approved.amount == order.amount, f"{pay_method}: amount {approved.amount}, expected {order.amount}"
    )
    _check_time(target, approved.approved_at, f"{pay_method}: approved_at")
    return approved


async def phone_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A mobile-phone window approves as ``phone``."""
    approved = await _simple_method(connector, target, "phone")
    _check(approved.pay_method == "phone", f"phone: pay_method {approved.pay_method!r}, expected 'phone'")


async def point_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A point window approves as ``point``."""
    approved = await _simple_method(connector, target, "point")
    _check(approved.pay_method == "point", f"point: pay_method {approved.pay_method!r}, expected 'point'")


async def gift_certificate_window_payment_is_approved(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A 문화상품권 (``cultureland``) window approves as ``cultureland``."""
    approved = await _simple_method(connector, target, "cultureland")
    _check(
        approved.pay_method == "cultureland",
        f"gift certificate: pay_method {approved.pay_method!r}, expected 'cultureland'",
    )


async def easy_pay_window_payment_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A KakaoPay window approves with ``emb_pg_provider`` ``kakaopay`` (pay_method as i'mport
    reports it: ``kakaopay``, or the card or point KakaoPay paid with)."""
    order = _window_order(target, "kakao", "kakaopay")
    _, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, "approving a KakaoPay window")
    _check(bool(approved.pg_tid), "kakaopay: no pg_tid")
    _check(approved.amount == order.amount, f"kakaopay: amount {approved.amount}, expected {order.amount}")
    _check(
        approved.pay_method in {"kakaopay", "card", "point"},
        f"kakaopay: pay_method {approved.pay_method!r}, expected kakaopay, card or point",
    )
    _check(
        approved.emb_pg_provider == "kakaopay",
        f"kakaopay: emb_pg_provider {approved.emb_pg_provider!r}, expected 'kakaopay'",
    )
    _check_time(target, approved.approved_at, "kakaopay: approved_at")


async def declining_card_is_declined_at_approval(connector: PgConnector, target: ConformanceTarget) -> None:
    """The target's declining card passes the window and is refused at approval: a Declined with a
    reason, messages and the PG's code; nothing is approved."""
    if target.declining_card is None:
        raise ConformanceError(f"{target.name}: this scenario needs a declining card")
    order = _window_order(target, "decl", "card", card_number=target.declining_card)
    _, answer = await _approve_window(connector, target, order)
    declined = _declined_by_pg(answer, "approving a window paid with the declining card")
    if target.declining_pg_code is not None:
        _check(
            declined.pg_code == target.declining_pg_code,
            f"declining card: pg_code {declined.pg_code!r}, expected {target.declining_pg_code!r}",
        )
    _check(declined.reason != AMOUNT_MISMATCH, "declining card: reported as an amount mismatch")


async def tampered_amount_is_declined(connector: PgConnector, target: ConformanceTarget) -> None:
    """Approving a window for another amount than the buyer authenticated is Declined
    ``amount_mismatch`` (KCP 8059): a page's changed amount can never be approved."""
    order = _window_order(target, "tamp", "card")
    result = await _window(connector, target, order)
    answer = await connector.approve(
        result, order_id=order.order_id, amount=order.amount - 4, pay_method="card"
    )
    declined = _declined_by_pg(answer, "approving a window for a changed amount")
    _check(
        declined.reason == AMOUNT_MISMATCH,
        f"changed amount: reason {declined.reason!r}, expected {AMOUNT_MISMATCH!r}",
    )
    if target.amount_mismatch_pg_code is not None:
        _check(
            declined.pg_code == target.amount_mismatch_pg_code,
            f"changed amount: pg_code {declined.pg_code!r}, expected {target.amount_mismatch_pg_code!r}",
        )


async def window_result_approves_only_once(connector: PgConnector, target: ConformanceTarget) -> None:
    """A window's result approves once; approving it again is Declined and the first payment
    stands unchanged."""
    order = _window_order(target, "twice", "card")
    result, answer = await _approve_window(connector, target, order)
    approved = _approved(answer, "approving a card window")
    again = await connector.approve(result, order_id=order.order_id, amount=order.amount, pay_method="card")
    _declined_by_pg(again, "approving the same window result a second time")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=order.amount,
        order_id=order.order_id,
        what="inquiry after a repeated approval",
    )


# --- scenarios: cancels and inquiry --------------------------------------------------------


async def partial_then_full_cancel_tracks_the_remaining_amount(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A partial cancel leaves the rest (10000 - 3000 = 7000, inquiry: partially cancelled); a
    full cancel then takes exactly the rest (inquiry: cancelled, 0 left)."""
    amount, part = 10_000, 3_000
    approved, order_id = await _paid_card(connector, target, amount, "pcan")

    partial = _cancelled(
        await _cancel(connector, approved, amount=part, remaining_before=amount), "partial cancel of 3000"
    )
    _check(partial.pg_tid == approved.pg_tid, f"partial cancel: pg_tid {partial.pg_tid!r}")
    _check(
        partial.cancelled_amount == part,
        f"partial cancel: cancelled {partial.cancelled_amount}, expected {part}",
    )
    _check(
        partial.remaining == amount - part, f"partial cancel: remaining {partial.remaining}, expected 7000"
    )
    _check(bool(partial.cancellation_id), "partial cancel: no cancellation id")
    _check_time(target, partial.cancelled_at, "partial cancel: cancelled_at")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after a partial cancel",
    )

    full = await _cancel_fully(
        connector, target, approved, remaining_before=amount - part, what="full cancel after a partial one"
    )
    _check(
        full.cancellation_id != partial.cancellation_id,
        f"two cancels share the cancellation id {full.cancellation_id!r}",
    )
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after the full cancel",
    )


async def cancelling_more_than_remains_is_declined_without_change(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """After 1000 of 5000 is cancelled, cancelling 4001 is Declined and changes nothing (inquiry
    still shows 4000 left), also when the caller believes 5000 is left (the PG refuses then);
    the 4000 can then be cancelled."""
    amount, part = 5_000, 1_000
    approved, order_id = await _paid_card(connector, target, amount, "over")
    _cancelled(
        await _cancel(connector, approved, amount=part, remaining_before=amount), "partial cancel of 1000"
    )

    refused = await _cancel(connector, approved, amount=amount - part + 1, remaining_before=amount - part)
    _declined(refused, "cancelling 4001 of the 4000 left")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after a refused over-cancel",
    )

    stale = await _cancel(connector, approved, amount=amount - part + 1, remaining_before=amount)
    _declined_by_pg(stale, "cancelling 4001 of the 4000 left, believing 5000 left")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after an over-cancel the PG refused",
    )

    await _cancel_fully(
        connector, target, approved, remaining_before=amount - part, what="cancelling the rest"
    )


async def inquiry_follows_approval_and_cancel(connector: PgConnector, target: ConformanceTarget) -> None:
    """Inquiry reports an approved payment as approved with all of it left, and as cancelled with
    nothing left once it is cancelled."""
    approved, order_id = await _paid_card(connector, target, target.amount, "inq")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=approved.amount,
        order_id=order_id,
        what="inquiry after approval",
    )
    await _cancel_fully(connector, target, approved, remaining_before=approved.amount, what="full cancel")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after cancel",
    )


async def cancelled_payment_cannot_be_cancelled_again(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A second full cancel of a cancelled payment is Declined (never a second refund)."""
    approved, order_id = await _paid_card(connector, target, target.amount, "again")
    await _cancel_fully(connector, target, approved, remaining_before=approved.amount, what="full cancel")
    again = await _cancel(connector, approved, amount=None, remaining_before=approved.amount)
    _declined_by_pg(again, "cancelling a cancelled payment")
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after a refused second cancel",
    )


# --- scenarios: key-in and billing keys ----------------------------------------------------


async def keyin_charge_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A key-in charge approves like a card window (tid, amount, approval number, masked card)
    and inquiry finds it approved."""
    order_id = new_order_id(target, "keyin")
    answer = await connector.charge(_keyin_charge(target, order_id, target.amount))
    approved = _approved(answer, "key-in charge")
    _check_card_approval(
        target, approved, amount=target.amount, card_number=target.keyin_card.number, what="key-in charge"
    )
    await _expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=target.amount,
        order_id=order_id,
        what="inquiry after a key-in charge",
    )


async def keyin_charge_with_declining_card_is_declined(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A key-in charge with the declining card is a Declined with the PG's code, not an error."""
    if target.declining_card is None:
        raise ConformanceError(f"{target.name}: this scenario needs a declining card")
    card = CardInput(
        number=target.declining_card,
        expiry=target.keyin_card.expiry,
        birth=target.keyin_card.birth,
        password_2digit=target.keyin_card.password_2digit,
    )
    answer = await connector.charge(_keyin_charge(target, new_order_id(target, "kdecl"), target.amount, card))
    declined = _declined_by_pg(answer, "key-in charge with the declining card")
    if target.declining_pg_code is not None:
        _check(
            declined.pg_code == target.declining_pg_code,
            f"declining key-in card: pg_code {declined.pg_code!r}, expected {target.declining_pg_code!r}",
        )


async def billing_key_from_window_charges_until_deleted(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A billing-key window's result becomes a billing key of the target's group; the key charges
    (and the charge cancels), is deleted, and a charge after the delete is Declined."""
    group_id = _billing_group(target)
    order = _window_order(target, "bkey", "card", amount=0, billing_group_id=group_id)
    result = await _window(connector, target, order)
    issued = _check_billing_key(await connector.issue_billing_key(result), group_id, "billing-key window")
    await _charge_delete_and_refuse(connector, target, issued, card_number=order.card_number)


async def keyin_billing_key_charges_until_deleted(connector: PgConnector, target: ConformanceTarget) -> None:
    """A billing key issued from a typed-in card charges, is deleted, and is then refused."""
    group_id = _billing_group(target)
    issued = _check_billing_key(
        await connector.issue_billing_key_keyin(target.keyin_card, group_id=group_id),
        group_id,
        "key-in billing key",
    )
    await _charge_delete_and_refuse(connector, target, issued, card_number=target.keyin_card.number)


# --- scenarios: failures -------------------------------------------------------------------


def _faults(target: ConformanceTarget) -> FaultInjection:
    if target.faults is None:
        raise ConformanceError(f"{target.name}: this scenario needs fault injection")
    return target.faults


async def _expect_outcome_unknown(
    connector: PgConnector, target: ConformanceTarget, amount: Won, label: str
) -> str:
    order_id = new_order_id(target, label)
    try:
        answer = await connector.charge(_keyin_charge(target, order_id, amount))
    except PgOutcomeUnknown:
        return order_id
    except PgUnavailable as problem:
        raise ConformanceError(
            f"charge of {amount}: PgUnavailable ({problem}) says 'not processed, retry', but the "
            "request reached the PG; expected PgOutcomeUnknown"
        ) from problem
    raise ConformanceError(f"charge of {amount}: expected PgOutcomeUnknown, got {_describe(answer)}")


async def lost_reply_is_outcome_unknown_and_settled_by_inquiry(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A charge whose reply never comes in time raises PgOutcomeUnknown (sent once, never
    again); the PG did charge, inquiry finds it approved, and a cancel settles it."""
    faults = _faults(target)
    amount = faults.timeout_amount
    order_id = await _expect_outcome_unknown(connector, target, amount, "lost")
    pg_tids = list(await faults.find_pg_tids(order_id))
    _check(
        len(pg_tids) == 1,
        f"after a lost reply the PG holds {len(pg_tids)} transactions for {order_id} "
        "(a connector must never send a charge again on its own)",
    )
    inquiry = await _inquiry(connector, pg_tids[0], "card", "inquiry after a lost reply")
    _check(inquiry.status == PgStatus.APPROVED, f"inquiry after a lost reply: status {inquiry.status!r}")
    _check(
        inquiry.amount == amount, f"inquiry after a lost reply: amount {inquiry.amount}, expected {amount}"
    )
    _check(inquiry.remaining == amount, f"inquiry after a lost reply: remaining {inquiry.remaining}")

    settled = _cancelled(
        await connector.cancel(
            CancelRequest(
                pg_tid=pg_tids[0],
                pay_method="card",
                amount=None,
                remaining_before=inquiry.remaining,
                reason="결과 불명 거래 취소",
            )
        ),
        "cancelling the charge whose reply was lost",
    )
    _check(settled.remaining == 0, f"settling cancel: remaining {settled.remaining}, expected 0")
    after = await _inquiry(connector, pg_tids[0], "card", "inquiry after the settling cancel")
    _check(after.status == PgStatus.CANCELLED, f"inquiry after the settling cancel: status {after.status!r}")
    _check(after.remaining == 0, f"inquiry after the settling cancel: remaining {after.remaining}")


async def server_error_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 500 reply to a charge raises PgOutcomeUnknown: the PG may have processed it."""
    await _expect_outcome_unknown(connector, target, _faults(target).server_error_amount, "e500")


async def bad_gateway_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 502 with an empty body raises PgOutcomeUnknown."""
    await _expect_outcome_unknown(connector, target, _faults(target).bad_gateway_amount, "e502")


async def unreadable_reply_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 200 whose body is not JSON raises PgOutcomeUnknown, never an approval or decline."""
    await _expect_outcome_unknown(connector, target, _faults(target).malformed_amount, "junk")


async def unreachable_pg_is_unavailable(connector: PgConnector, target: ConformanceTarget) -> None:
    """With nothing listening at the PG's address every call raises PgUnavailable (provably not
    processed: safe to retry) — never PgOutcomeUnknown, never another exception."""
    order_id = new_order_id(target, "down")
    calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        (
            "register_trade",
            lambda: connector.register_trade(
                TradeRequest(
                    order_id=order_id,
                    amount=target.amount,
                    name="적합성 시험 상품",
                    pay_method="card",
                    return_url="https://shop.example/kcp/return",
                )
            ),
        ),
        ("charge", lambda: connector.charge(_keyin_charge(target, order_id, target.amount))),
        (
            "cancel",
            lambda: connector.cancel(
                CancelRequest(pg_tid="20260302000000", pay_method="card", amount=None, remaining_before=1004)
            ),
        ),
        ("inquire", lambda: connector.inquire("20260302000000", "card")),
    ]
    if target.sample_window_return is not None:
        window = WindowResult(fields=target.sample_window_return)
        calls.append(
            (
                "approve",
                lambda: connector.approve(window, order_id=order_id, amount=target.amount, pay_method="card"),
            )
        )
    if target.billing_group_id is not None:
        group: str = target.billing_group_id
        calls += [
            (
                "issue_billing_key_keyin",
                lambda: connector.issue_billing_key_keyin(target.keyin_card, group_id=group),
            ),
            ("delete_billing_key", lambda: connector.delete_billing_key("1234567890123456", group_id=group)),
        ]
    for name, call in calls:
        try:
            answer = await call()
        except PgUnavailable:
            continue
        except PgOutcomeUnknown as problem:
            raise ConformanceError(
                f"{name} with nothing listening: PgOutcomeUnknown, expected PgUnavailable (a refused "
                "connection provably sent nothing)"
            ) from problem
        raise ConformanceError(
            f"{name} with nothing listening: expected PgUnavailable, got {_describe(answer)}"
        )


# --- the registry --------------------------------------------------------------------------

_W, _B, _K, _P, _D, _F = (
    Requirement.WINDOW,
    Requirement.BILLING,
    Requirement.KEYIN,
    Requirement.PAYMENT,
    Requirement.DECLINING_CARD,
    Requirement.FAULTS,
)


def _scenario(
    run: ScenarioFunction,
    *requires: Requirement,
    connector: ConnectorKind = ConnectorKind.STANDARD,
    window_method: str | None = None,
) -> Scenario:
    summary = " ".join((run.__doc__ or run.__name__).split())
    return Scenario(
        name=run.__name__,
        summary=summary,
        run=run,
        connector=connector,
        requires=requires,
        window_method=window_method,
    )


#: Every scenario, in the order a reader would check a new connector.
SCENARIOS: tuple[Scenario, ...] = (
    _scenario(card_window_payment_is_approved, _W, window_method="card"),
    _scenario(transfer_window_payment_is_approved, _W, window_method="trans"),
    _scenario(vbank_window_issues_a_virtual_account, _W, window_method="vbank"),
    _scenario(phone_window_payment_is_approved, _W, window_method="phone"),
    _scenario(point_window_payment_is_approved, _W, window_method="point"),
    _scenario(gift_certificate_window_payment_is_approved, _W, window_method="cultureland"),
    _scenario(easy_pay_window_payment_is_approved, _W, window_method="kakaopay"),
    _scenario(declining_card_is_declined_at_approval, _W, _D, window_method="card"),
    _scenario(tampered_amount_is_declined, _W, window_method="card"),
    _scenario(window_result_approves_only_once, _W, window_method="card"),
    _scenario(partial_then_full_cancel_tracks_the_remaining_amount, _P),
    _scenario(cancelling_more_than_remains_is_declined_without_change, _P),
    _scenario(cancelled_payment_cannot_be_cancelled_again, _P),
    _scenario(inquiry_follows_approval_and_cancel, _P),
    _scenario(keyin_charge_is_approved, _K),
    _scenario(keyin_charge_with_declining_card_is_declined, _K, _D),
    _scenario(billing_key_from_window_charges_until_deleted, _W, _B, connector=ConnectorKind.BILLING),
    _scenario(keyin_billing_key_charges_until_deleted, _K, _B, connector=ConnectorKind.BILLING),
    _scenario(
        lost_reply_is_outcome_unknown_and_settled_by_inquiry,
        _K,
        _F,
        connector=ConnectorKind.SHORT_READ_TIMEOUT,
    ),
    _scenario(server_error_is_outcome_unknown, _K, _F),
    _scenario(bad_gateway_is_outcome_unknown, _K, _F),
    _scenario(unreadable_reply_is_outcome_unknown, _K, _F),
    _scenario(unreachable_pg_is_unavailable, connector=ConnectorKind.UNREACHABLE),
)


def scenario_named(name: str) -> Scenario:
    """The scenario called ``name`` (KeyError if there is none)."""
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(name)
