"""Deterministic scenarios: magic inputs that make the sandbox decline, stall or break.

| trigger | where | effect |
| --- | --- | --- |
| card ``4000000000000002`` | window card number, key-in ``card_no``, batch issuance | decline ``8016`` limit exceeded (at approval) |
| card ``4000000000000010`` | same | decline ``8041`` lost or stolen card |
| card ``4000000000000028`` | same | decline ``8107`` invalid card number |
| card ``4000000000000036`` | same | decline ``8017`` expired card |
| card ``4000000000000044`` | same | the approval reply is held past any client timeout |
| card ``4000000000000051`` | same | the approval answers HTTP 500 |
| card ``4000000000000069`` | same | the approval answers a malformed (non-JSON) body |
| amount ``91001`` | any server call carrying ``ordr_mony``/``amount``/``mod_mny`` | held past any client timeout (``hold_seconds``) |
| amount ``91002`` | same | HTTP 500 with an HTML error page |
| amount ``91003`` | same | HTTP 502 with an empty body |
| amount ``91004`` | same | HTTP 200 with a truncated, non-JSON body |
| amount ``91005`` | same | answers normally after ``slow_seconds`` |
| amount ``91016`` | same | decline ``8016`` limit exceeded |
| header ``X-Sandbox-Fault`` | any request | ``timeout``, ``http500``, ``http502``, ``malformed``, ``slow``, or ``decline:<res_cd>`` |

Declines only happen to requests that would otherwise succeed; faults happen before the
request is processed (``timeout`` after processing it: the classic "sent, but never heard
back" case, so the transaction exists at KCP and inquiry finds it).
Any other card number approves; any card number works in the windows.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeport.sandbox import codes

FAULT_HEADER = "x-sandbox-fault"


@dataclass(frozen=True)
class Scenario:
    """What a magic input does."""

    name: str
    decline: codes.Code | None = None
    fault: str | None = None  # timeout, http500, http502, malformed, slow


NORMAL = Scenario("normal")

CARDS: dict[str, Scenario] = {
    "4000000000000002": Scenario("limit_exceeded", decline=codes.LIMIT_EXCEEDED),
    "4000000000000010": Scenario("stolen_card", decline=codes.STOLEN_CARD),
    "4000000000000028": Scenario("invalid_card", decline=codes.INVALID_CARD_NUMBER),
    "4000000000000036": Scenario("expired_card", decline=codes.EXPIRED_CARD),
    "4000000000000044": Scenario("card_timeout", fault="timeout"),
    "4000000000000051": Scenario("card_http500", fault="http500"),
    "4000000000000069": Scenario("card_malformed", fault="malformed"),
}

AMOUNTS: dict[int, Scenario] = {
    91001: Scenario("amount_timeout", fault="timeout"),
    91002: Scenario("amount_http500", fault="http500"),
    91003: Scenario("amount_http502", fault="http502"),
    91004: Scenario("amount_malformed", fault="malformed"),
    91005: Scenario("amount_slow", fault="slow"),
    91016: Scenario("amount_limit_exceeded", decline=codes.LIMIT_EXCEEDED),
}

_BY_NAME = {s.name: s for s in (*CARDS.values(), *AMOUNTS.values(), NORMAL)}
FAULTS = ("timeout", "http500", "http502", "malformed", "slow")


def for_card(card_number: str) -> Scenario:
    """The scenario a card number triggers (digits only are compared)."""
    digits = "".join(ch for ch in card_number if ch.isdigit())
    return CARDS.get(digits, NORMAL)


def for_amount(amount: int | str | None) -> Scenario:
    """The scenario an amount triggers."""
    try:
        value = int(str(amount))
    except ValueError:
        return NORMAL
    return AMOUNTS.get(value, NORMAL)


def by_name(name: str | None) -> Scenario:
    """A scenario stored by name on an auth or batch key."""
    return _BY_NAME.get(name or "normal", NORMAL)


def from_header(value: str | None) -> Scenario:
    """The scenario an ``X-Sandbox-Fault`` header asks for; unknown values are ignored."""
    if not value:
        return NORMAL
    value = value.strip().lower()
    if value in FAULTS:
        return Scenario(f"header_{value}", fault=value)
    if value.startswith("decline:"):
        res_cd = value.split(":", 1)[1].upper()
        known = {c.res_cd: c for c in vars(codes).values() if isinstance(c, codes.Code)}
        code = known.get(res_cd) or codes.Code(res_cd, "가상 거절 (sandbox)", "sandbox decline")
        return Scenario(f"header_decline_{res_cd}", decline=code)
    return NORMAL
