"""Every scenario, with what it needs; :data:`SCENARIOS` is the list a harness runs."""

from __future__ import annotations

from homeport.testing.connector_conformance.billing import (
    billing_key_from_window_charges_until_deleted,
    keyin_billing_key_charges_until_deleted,
    keyin_charge_is_approved,
    keyin_charge_with_declining_card_is_declined,
)
from homeport.testing.connector_conformance.cancels import (
    cancelled_payment_cannot_be_cancelled_again,
    cancelling_more_than_remains_is_declined_without_change,
    inquiry_follows_approval_and_cancel,
    partial_then_full_cancel_tracks_the_remaining_amount,
)
from homeport.testing.connector_conformance.escrow import (
    escrow_delivery_is_declined_for_a_payment_without_escrow,
    escrow_delivery_is_registered_for_an_escrow_payment,
)
from homeport.testing.connector_conformance.failures import (
    bad_gateway_is_outcome_unknown,
    lost_reply_is_outcome_unknown_and_settled_by_inquiry,
    server_error_is_outcome_unknown,
    unreachable_pg_is_unavailable,
    unreadable_reply_is_outcome_unknown,
)
from homeport.testing.connector_conformance.target import (
    ConnectorKind,
    Requirement,
    Scenario,
    ScenarioFunction,
)
from homeport.testing.connector_conformance.vbanks import (
    deposit_into_vbank_issued_by_api_is_notified,
    unpaid_vbank_issued_by_api_is_revoked_by_cancel,
    vbank_issued_by_api_carries_the_account,
)
from homeport.testing.connector_conformance.windows import (
    card_window_payment_is_approved,
    declining_card_is_declined_at_approval,
    easy_pay_window_payment_is_approved,
    gift_certificate_window_payment_is_approved,
    phone_window_payment_is_approved,
    point_window_payment_is_approved,
    tampered_amount_is_declined,
    transfer_window_payment_is_approved,
    vbank_window_issues_a_virtual_account,
    window_result_approves_only_once,
)

_W, _B, _K, _P, _D, _F = (
    Requirement.WINDOW,
    Requirement.BILLING,
    Requirement.KEYIN,
    Requirement.PAYMENT,
    Requirement.DECLINING_CARD,
    Requirement.FAULTS,
)
_V, _VD, _E = Requirement.VBANK_API, Requirement.VBANK_DEPOSIT, Requirement.ESCROW


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
    _scenario(vbank_issued_by_api_carries_the_account, _V),
    _scenario(unpaid_vbank_issued_by_api_is_revoked_by_cancel, _V),
    _scenario(deposit_into_vbank_issued_by_api_is_notified, _V, _VD),
    _scenario(
        escrow_delivery_is_registered_for_an_escrow_payment,
        _W,
        _E,
        connector=ConnectorKind.ESCROW,
        window_method="card",
    ),
    _scenario(
        escrow_delivery_is_declined_for_a_payment_without_escrow,
        _W,
        _E,
        connector=ConnectorKind.ESCROW,
        window_method="card",
    ),
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
