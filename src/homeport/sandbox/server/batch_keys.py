"""Billing keys (batch keys): issuing, finding and checking their group (kcp.md §6.3-6.6)."""

from __future__ import annotations

from typing import Any

from homeport.sandbox import codes, methods, scenarios
from homeport.sandbox.methods import Card
from homeport.sandbox.records import BatchKey
from homeport.sandbox.server.requests import Call, Failure, ok

#: Declines that make a card unusable for a billing key (refused at issuance, see
#: :mod:`homeport.sandbox.server`).
CARD_INVALID = frozenset(
    {codes.STOLEN_CARD.res_cd, codes.INVALID_CARD_NUMBER.res_cd, codes.EXPIRED_CARD.res_cd}
)


def key_refusal(scenario: scenarios.Scenario) -> codes.Code | None:
    """The card-validity decline that refuses a billing key, if the card's scenario has one."""
    if scenario.decline is not None and scenario.decline.res_cd in CARD_INVALID:
        return scenario.decline
    return None


def check_group(call: Call, group_id: str) -> None:
    """``group_id`` must be one of the authenticated site's groups."""
    site = call.site
    if not group_id or site is None or group_id not in site.group_ids:
        raise Failure(codes.NO_GROUP_ID, f"group id {group_id or '(none)'} of site {call.site_cd}")


def live_batch_key(call: Call, batch_key: str, group_id: str) -> dict[str, Any]:
    """The site's undeleted key ``batch_key``, issued in ``group_id``."""
    key = call.sandbox.ledger.get("batch_key", batch_key)
    if key is None or key.get("site_cd") != call.site_cd or key.get("deleted_at"):
        raise Failure(codes.NO_BATCH_KEY)
    check_group(call, group_id)
    if group_id != key.get("group_id"):
        raise Failure(codes.NO_GROUP_ID, f"the batch key belongs to another group than {group_id}")
    return key


def issue_batch_key(call: Call, card: Card, *, group_id: str, scenario: scenarios.Scenario) -> dict[str, str]:
    """Store a new billing key for ``card`` and answer like kcp.md §6.3 (no tno)."""
    sandbox = call.sandbox
    batch_key = sandbox.new_key("batch_key", lambda: sandbox.new_digits(16))
    key: BatchKey = {
        "batch_key": batch_key,
        "site_cd": call.site_cd,
        "group_id": group_id,
        "card_cd": card.card_cd,
        "card_name": card.name,
        "card_mask_no": card.card_no,
        "card_bin_type_01": card.card_bin_type_01,
        "card_bin_type_02": card.card_bin_type_02,
        "scenario": scenario.name,
        "issued_at": call.now(),
        "deleted_at": "",
    }
    sandbox.ledger.put("batch_key", batch_key, dict(key))
    return {**ok(), **methods.batch_key_fields(sandbox, card, batch_key=batch_key)}
