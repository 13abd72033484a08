"""Scenarios: key-in charges and billing keys (window and key-in issuance, charge, delete)."""

from __future__ import annotations

from homeport.pg.base import (
    BillingKeyIssued,
    CardInput,
    Charge,
    Declined,
    PgConnector,
    PgStatus,
)
from homeport.testing.connector_conformance.checks import (
    check,
    check_card_approval,
    check_masked,
    check_time,
    describe,
    expect_approved,
    expect_declined_by_pg,
    expect_standing,
)
from homeport.testing.connector_conformance.flows import (
    BUYER,
    cancel_fully,
    complete_window,
    keyin_charge,
    new_order_id,
    window_order,
)
from homeport.testing.connector_conformance.target import ConformanceError, ConformanceTarget


def _billing_group(target: ConformanceTarget) -> str:
    if target.billing_group_id is None:
        raise ConformanceError(f"{target.name}: this scenario needs a billing group id")
    return target.billing_group_id


def _check_billing_key(issued: BillingKeyIssued | Declined, group_id: str, what: str) -> BillingKeyIssued:
    if not isinstance(issued, BillingKeyIssued):
        raise ConformanceError(f"{what}: expected BillingKeyIssued, got {describe(issued)}")
    check(bool(issued.billing_key), f"{what}: empty billing key")
    check(issued.group_id == group_id, f"{what}: group_id {issued.group_id!r}, expected {group_id!r}")
    check(
        bool(issued.card.company_code or issued.card.company_name),
        f"{what}: the card company is unknown: {issued.card!r}",
    )
    check(issued.billing_key not in repr(issued), f"{what}: repr() shows the billing key")
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
            buyer=BUYER,
            billing_key=issued.billing_key,
            billing_group_id=group_id,
            customer_ip="127.0.0.1",
        )

    first_order = new_order_id(target, "bill")
    approved = expect_approved(await connector.charge(charge(first_order)), "charging the billing key")
    check(bool(approved.pg_tid), "billing-key charge: no pg_tid")
    check(approved.amount == amount, f"billing-key charge: amount {approved.amount}, expected {amount}")
    check(approved.pay_method == "card", f"billing-key charge: pay_method {approved.pay_method!r}")
    check(bool(approved.approval_number), "billing-key charge: no approval number")
    check_time(target, approved.approved_at, "billing-key charge: approved_at")
    if approved.card is None:
        raise ConformanceError("billing-key charge: no card details")
    if approved.card.masked_number:
        check_masked(approved.card.masked_number, card_number, "billing-key charge: card")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=amount,
        order_id=first_order,
        what="inquiry after a billing-key charge",
    )
    await cancel_fully(
        connector, target, approved, remaining_before=amount, what="cancelling a billing-key charge"
    )

    deleted = await connector.delete_billing_key(issued.billing_key, group_id=group_id)
    check(deleted is None, f"deleting the billing key: expected None, got {describe(deleted)}")

    refused = await connector.charge(charge(new_order_id(target, "gone")))
    expect_declined_by_pg(refused, "charging a deleted billing key")


# --- scenarios: key-in and billing keys ----------------------------------------------------


async def keyin_charge_is_approved(connector: PgConnector, target: ConformanceTarget) -> None:
    """A key-in charge approves like a card window (tid, amount, approval number, masked card)
    and inquiry finds it approved."""
    order_id = new_order_id(target, "keyin")
    answer = await connector.charge(keyin_charge(target, order_id, target.amount))
    approved = expect_approved(answer, "key-in charge")
    check_card_approval(
        target, approved, amount=target.amount, card_number=target.keyin_card.number, what="key-in charge"
    )
    await expect_standing(
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
    answer = await connector.charge(keyin_charge(target, new_order_id(target, "kdecl"), target.amount, card))
    declined = expect_declined_by_pg(answer, "key-in charge with the declining card")
    if target.declining_pg_code is not None:
        check(
            declined.pg_code == target.declining_pg_code,
            f"declining key-in card: pg_code {declined.pg_code!r}, expected {target.declining_pg_code!r}",
        )


async def billing_key_from_window_charges_until_deleted(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A billing-key window's result becomes a billing key of the target's group; the key charges
    (and the charge cancels), is deleted, and a charge after the delete is Declined."""
    group_id = _billing_group(target)
    order = window_order(target, "bkey", "card", amount=0, billing_group_id=group_id)
    result = await complete_window(connector, target, order)
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
