"""Money is an integer number of won; anything else is refused with a clear message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeport.domain.errors import InvalidAmount
from homeport.domain.money import MAX_AMOUNT, parse_amount


def test_whole_numbers_are_amounts() -> None:
    """A JSON integer is taken as is."""
    assert parse_amount(1004) == 1004


def test_a_float_with_a_zero_fraction_is_the_same_amount() -> None:
    """PHP's json_encode writes 1000.0 for a float; it is still one thousand won."""
    assert parse_amount(1000.0) == 1000


@pytest.mark.parametrize("value", [1000.5, 0.1])
def test_fractional_won_are_refused(value: float) -> None:
    """KRW has no minor unit, so a fraction is an error, never rounded."""
    with pytest.raises(InvalidAmount, match="정수"):
        parse_amount(value)


def test_a_json_string_amount_is_refused_with_a_hint_to_send_a_number() -> None:
    """A string amount usually means unconverted user input; i'mport requires a number."""
    with pytest.raises(InvalidAmount, match="send a JSON number"):
        parse_amount("1000")


def test_form_bodies_carry_amounts_as_digit_strings() -> None:
    """Form encoding has only text, so there "1000" is the number 1000."""
    assert parse_amount("1000", from_form=True) == 1000


@pytest.mark.parametrize("value", ["10.5", "abc", ""])
def test_form_amounts_must_still_be_whole_numbers(value: str) -> None:
    """A form amount that is not a whole number is refused."""
    with pytest.raises(InvalidAmount):
        parse_amount(value, from_form=True)


@pytest.mark.parametrize("value", [True, None, [1000], {"amount": 1}])
def test_non_numbers_are_refused(value: object) -> None:
    """Booleans, nulls and containers are not money."""
    with pytest.raises(InvalidAmount):
        parse_amount(value)


def test_negative_and_oversized_amounts_are_refused() -> None:
    """Amounts are between 0 and KCP's 12-digit limit."""
    with pytest.raises(InvalidAmount, match="0 이상"):
        parse_amount(-1)
    with pytest.raises(InvalidAmount, match="너무"):
        parse_amount(MAX_AMOUNT + 1)


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_every_valid_amount_survives_json_and_form_spellings(amount: int) -> None:
    """The same amount parses identically from a JSON number and a form string."""
    assert parse_amount(amount) == parse_amount(str(amount), from_form=True) == amount
