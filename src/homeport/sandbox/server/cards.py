"""The card fields of hub calls: a key-in card, and the order of a card payment."""

from __future__ import annotations

from homeport.sandbox import codes, methods
from homeport.sandbox.server.requests import Call, Failure


def card_order(call: Call) -> tuple[int, str, str]:
    """A card payment's ``amount``, ``ordr_idxx`` and ``quota`` (``good_name`` required)."""
    amount = _card_amounts(call)
    ordr_idxx = call.order_number()
    call.text("good_name")
    return amount, ordr_idxx, _quota(call, amount)


def keyin_card(call: Call) -> str:
    """A key-in card's number, with its expiry and holder fields checked."""
    number = _card_number(call)
    _card_expiry(call)
    _card_holder(call)
    return number


def _quota(call: Call, amount: int) -> str:
    quota = call.optional("quota", "00")
    if not (quota.isascii() and quota.isdigit() and len(quota) <= 2):
        raise Failure(codes.BAD_FIELD, f"quota={quota!r} is not 00 (lump sum) or a number of months")
    quota = quota.zfill(2)
    if quota != "00" and amount < methods.INSTALLMENT_MINIMUM:
        raise Failure(
            codes.BAD_FIELD, f"installments (quota) need at least {methods.INSTALLMENT_MINIMUM} won"
        )
    return quota


def _card_amounts(call: Call) -> int:
    """``amount`` with ``card_mny`` (= amount) and ``currency`` (410) checked."""
    amount = call.money("amount")
    call.same_amount("card_mny", amount)
    currency = call.optional("currency", "410")
    if currency != "410":
        raise Failure(codes.BAD_FIELD, f"currency={currency!r}: the sandbox takes 410 (KRW) only")
    return amount


def _card_number(call: Call, name: str = "card_no") -> str:
    number = call.text(name)
    if not (number.isascii() and number.isdigit() and 13 <= len(number) <= 19 and methods.luhn_valid(number)):
        raise Failure(codes.INVALID_CARD_NUMBER, f"{name} must be 13-19 digits passing the Luhn check")
    return number


def _card_expiry(call: Call) -> None:
    expiry = call.text("card_expiry")
    if not (expiry.isascii() and expiry.isdigit() and len(expiry) == 4 and 1 <= int(expiry[2:]) <= 12):
        raise Failure(codes.BAD_FIELD, f"card_expiry={expiry!r} is not YYMM")
    now = call.sandbox.clock.now()
    if (2000 + int(expiry[:2]), int(expiry[2:])) < (now.year, now.month):
        raise Failure(codes.EXPIRED_CARD, f"card_expiry {expiry}")


def _card_holder(call: Call) -> None:
    """``card_taxno`` (birth YYMMDD or business number) and ``card_pwd`` (2 digits), if sent."""
    taxno, pwd = call.optional("card_taxno"), call.optional("card_pwd")
    if taxno and not (taxno.isascii() and taxno.isdigit() and len(taxno) in (6, 10)):
        raise Failure(codes.BAD_FIELD, "card_taxno must be a birth date YYMMDD or a 10-digit business number")
    if pwd and not (pwd.isascii() and pwd.isdigit() and len(pwd) == 2):
        raise Failure(codes.BAD_FIELD, "card_pwd must be the first 2 digits of the card password")
