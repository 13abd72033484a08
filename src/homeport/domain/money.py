"""Money is an integer number of won.

i'mport's wire type for amounts is a JSON number, but homeport serves KRW only and KCP takes
whole won (``good_mny``/``ordr_mony`` are digit strings), so any amount that is not a whole
number is refused rather than rounded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from homeport.domain.errors import InvalidAmount

Won = int

#: The largest amount we accept: KCP's amount fields are at most 12 digits.
MAX_AMOUNT: Won = 999_999_999_999
#: Card installments are offered only from 50,000 won (KCP; the i'mport KCP guide repeats it).
INSTALLMENT_MINIMUM: Won = 50_000


def parse_amount(value: object, *, field: str = "amount", from_form: bool = False) -> Won:
    """Return ``value`` as whole won, or raise :class:`InvalidAmount` saying why not.

    JSON must carry a number: a string such as ``"1000"`` is refused because it usually
    means the merchant's code builds amounts from user input without converting them.
    A JSON number with a zero fraction (``1000.0``, as PHP's ``json_encode`` writes floats)
    is the same number and is accepted; ``1000.5`` is not.
    Form-encoded bodies can only carry text, so there a string of digits is the number.
    """
    if isinstance(value, bool):
        raise InvalidAmount(f"{field}는 숫자여야 합니다. (got a boolean)")
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise InvalidAmount(f"{field}는 원 단위 정수여야 합니다. (got {value!r})")
        amount = int(value)
    elif isinstance(value, str) and from_form:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(f"{field}는 숫자여야 합니다. (got {value!r})") from None
        if number != number.to_integral_value():
            raise InvalidAmount(f"{field}는 원 단위 정수여야 합니다. (got {value!r})")
        amount = int(number)
    elif isinstance(value, str):
        raise InvalidAmount(
            f"{field}는 문자열이 아닌 숫자로 보내야 합니다. (got the string {value!r}; send a JSON number)"
        )
    else:
        raise InvalidAmount(f"{field}는 숫자여야 합니다.")
    if amount < 0:
        raise InvalidAmount(f"{field}는 0 이상이어야 합니다. (got {amount})")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"{field}가 너무 큽니다. (at most {MAX_AMOUNT})")
    return amount
