"""Every domain error maps to an i'mport envelope status (one table, no gaps)."""

from __future__ import annotations

import json

from homeport.api.errors import STATUS_TABLE, describe_validation, error_response
from homeport.domain import errors


def all_subclasses(klass: type) -> set[type]:
    found = set()
    for sub in klass.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


def test_every_gateway_error_has_an_explicit_mapping() -> None:
    """A new error class must be placed in the table, not fall through to 500."""
    missing = {k.__name__ for k in all_subclasses(errors.GatewayError)} - {k.__name__ for k in STATUS_TABLE}

    assert missing == set()


def test_an_error_becomes_the_envelope_with_a_string_message_and_null_response() -> None:
    """Clients read ``message`` as a string from every error body."""
    response = error_response(errors.PaymentNotFound())

    assert response.status_code == 404
    assert json.loads(response.body) == {
        "code": -1,
        "message": "존재하지 않는 결제정보입니다.",
        "response": None,
    }


def test_authentication_failures_are_401_with_the_iamport_challenge_header() -> None:
    """401s carry WWW-Authenticate: iamport (i'mport maintainers, 2015)."""
    response = error_response(errors.TokenInvalid())

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "iamport"


def test_validation_details_become_one_readable_sentence_per_field() -> None:
    """Pydantic's error list is turned into the contract's Korean phrasing."""
    text = describe_validation(
        [{"type": "missing", "loc": ("body", "imp_key")}, {"type": "int_parsing", "loc": ("query", "page")}]
    )

    assert text == "imp_key 파라메터가 누락되었습니다. page는 정수여야 합니다."
