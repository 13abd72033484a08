"""Secrets and card numbers never reach a log in clear."""

from __future__ import annotations

import io
import json
import sys

import structlog

from homeport.observability.logging import configure_logging, mask_card_number, mask_secrets


def masked(**event: object) -> dict[str, object]:
    return dict(mask_secrets(None, "info", dict(event)))


def test_secret_fields_are_replaced_whatever_their_value() -> None:
    """API secrets, tokens, card passwords and billing keys are masked by key."""
    result = masked(imp_secret="s3cret", access_token="a" * 40, pwd_2digit="12", billing_key="k", cvc="123")

    assert set(result.values()) == {"[MASKED]"}


def test_card_numbers_keep_only_the_first_six_and_last_four_digits() -> None:
    """Card numbers stay recognisable, as on a sales slip, but never whole."""
    assert mask_card_number("4579-7312-3456-1234") == "457973******1234"
    assert masked(card_number="4579731234561234")["card_number"] == "457973******1234"


def test_card_numbers_inside_free_text_and_nested_data_are_masked() -> None:
    """A PAN inside a message, a body or a list is caught by its shape."""
    result = masked(
        event="charging 4579 7312 3456 1234 now",
        body={"card": {"card_number": "5428790000000294"}, "note": ["pan 4111111111111111"]},
    )

    assert "4579 7312 3456 1234" not in json.dumps(result)
    assert "5428790000000294" not in json.dumps(result)
    assert "4111111111111111" not in json.dumps(result)
    assert result["event"] == "charging 457973******1234 now"


def test_ordinary_values_pass_through() -> None:
    """Short numbers, amounts and ids are not mistaken for cards."""
    result = masked(amount=50000, imp_uid="imp_123456789012", merchant_uid="order-1")

    assert result == {"amount": 50000, "imp_uid": "imp_123456789012", "merchant_uid": "order-1"}


def test_the_configured_json_logger_masks_before_writing(monkeypatch: object) -> None:
    """End to end through structlog: the rendered line holds no secret."""
    stream = io.StringIO()
    original = sys.stderr
    sys.stderr = stream
    try:
        configure_logging(json=True, level="info")
        structlog.get_logger("t").info("api.call", imp_secret="topsecret", card_number="4111111111111111")
    finally:
        sys.stderr = original
        structlog.reset_defaults()

    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["imp_secret"] == "[MASKED]"
    assert line["card_number"] == "411111******1111"
    assert "topsecret" not in stream.getvalue()
