"""How a card number may be shown: the first six and last four digits, as card slips do."""

from __future__ import annotations

#: The shortest card number (PAN) there is.
MIN_PAN_DIGITS = 13


def mask_card_number(number: str) -> str:
    """``457973******1234``; anything too short to be a card number is all ``*``."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) < MIN_PAN_DIGITS:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
