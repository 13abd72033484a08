"""Request bodies are read the way i'mport's clients send them (iamport-v1 §1)."""

from __future__ import annotations

import pytest

from homeport.api.body import parse_body, parse_form_pairs
from homeport.domain.errors import InvalidRequest

FORM = "application/x-www-form-urlencoded"


def test_json_nulls_mean_absent() -> None:
    """The PHP client sends every property; null ones are as if not sent."""
    body = parse_body(b'{"imp_uid":"imp_1","amount":null,"extra":{"requester":null}}', "application/json")

    assert body.data == {"imp_uid": "imp_1", "extra": {}}
    assert not body.from_form


def test_php_bracket_fields_nest() -> None:
    """extra[requester] and schedules[0][merchant_uid] become objects and arrays."""
    body = parse_body(
        b"extra%5Brequester%5D=admin&schedules%5B0%5D%5Bmerchant_uid%5D=m1"
        b"&schedules%5B0%5D%5Bamount%5D=100&schedules%5B1%5D%5Bmerchant_uid%5D=m2",
        FORM,
    )

    assert body.data == {
        "extra": {"requester": "admin"},
        "schedules": [{"merchant_uid": "m1", "amount": "100"}, {"merchant_uid": "m2"}],
    }
    assert body.from_form


def test_empty_brackets_append_and_repeated_plain_keys_become_lists() -> None:
    """merchant_uid[]=a&merchant_uid[]=b and merchant_uid=a&merchant_uid=b are both lists."""
    assert parse_form_pairs([("merchant_uid[]", "a"), ("merchant_uid[]", "b")]) == {
        "merchant_uid": ["a", "b"]
    }
    assert parse_form_pairs([("m", "a"), ("m", "b"), ("m", "c")]) == {"m": ["a", "b", "c"]}


def test_indexed_fields_are_ordered_by_index_not_arrival() -> None:
    """PHP-style indexes decide the order."""
    assert parse_form_pairs([("a[1]", "second"), ("a[0]", "first")]) == {"a": ["first", "second"]}


def test_go_iamports_unencoded_pseudo_form_is_read() -> None:
    """go-iamport builds forms by stripping JSON punctuation: unencoded, maybe with spaces."""
    body = parse_body(b"imp_key=1234&imp_secret=abc def", FORM)

    assert body.data == {"imp_key": "1234", "imp_secret": "abc def"}


def test_a_body_without_content_type_is_guessed() -> None:
    """JSON-looking text is JSON; anything else is a form."""
    assert parse_body(b'{"a":1}', "").data == {"a": 1}
    assert parse_body(b"a=1", "").data == {"a": "1"}


def test_an_empty_body_is_an_empty_object() -> None:
    """DELETE and bodiless POSTs parse to nothing."""
    assert parse_body(b"", FORM).data == {}


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        (b'{"a":', "application/json", "올바른 JSON이 아닙니다"),
        (b"[1,2]", "application/json", "JSON 객체"),
        (b"\xff\xfe", FORM, "UTF-8"),
        (b"<xml/>", "text/xml", "Content-Type"),
    ],
)
def test_unreadable_bodies_are_clear_errors(raw: bytes, content_type: str, message: str) -> None:
    """Bad input is an InvalidRequest that says what is wrong, never a crash."""
    with pytest.raises(InvalidRequest, match=message):
        parse_body(raw, content_type)
