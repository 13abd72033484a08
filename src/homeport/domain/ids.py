"""Identifiers: the shapes i'mport clients see and the random generators behind them."""

from __future__ import annotations

import re
import secrets
import string

from homeport.domain.errors import InvalidRequest

#: i'mport's merchant identification code, what ``IMP.init`` takes: ``imp`` + 8 digits.
MERCHANT_CODE = re.compile(r"^imp\d{8}$")
#: Checkout payments are ``imp_`` + 12 digits (observed on the live service).
IMP_UID = re.compile(r"^imps?_\d{12}$")

MERCHANT_UID_MAX = 40  # i'mport: merchant_uid string (<=40)
CUSTOMER_UID_MAX = 80  # i'mport: customer_uid string (<=80)

_ALPHANUMERIC = string.ascii_letters + string.digits


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def new_imp_uid() -> str:
    """A fresh payment id, ``imp_`` followed by 12 random digits."""
    return "imp_" + _digits(12)


def new_merchant_code() -> str:
    """A fresh merchant identification code, ``imp`` followed by 8 random digits."""
    return "imp" + _digits(8)


def new_api_key() -> str:
    """A REST API key: 16 digits, the shape PortOne issues."""
    return secrets.choice("123456789") + _digits(15)


def new_api_secret() -> str:
    """A REST API secret: 80 random letters and digits (about 476 bits)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(80))


def validate_merchant_code(code: str) -> str:
    """Return ``code`` if it is ``imp`` + 8 digits, else raise InvalidRequest."""
    if not MERCHANT_CODE.match(code):
        raise InvalidRequest(f"가맹점 식별코드는 imp + 숫자 8자리 형식이어야 합니다. (got {code!r})")
    return code


def validate_merchant_uid(value: str) -> str:
    """Return ``value`` if it is a usable merchant_uid (1 to 40 characters)."""
    if not value or len(value) > MERCHANT_UID_MAX:
        raise InvalidRequest(f"merchant_uid는 1~{MERCHANT_UID_MAX}자여야 합니다.")
    return value


def validate_customer_uid(value: str) -> str:
    """Return ``value`` if it is a usable customer_uid (1 to 80 characters)."""
    if not value or len(value) > CUSTOMER_UID_MAX:
        raise InvalidRequest(f"customer_uid는 1~{CUSTOMER_UID_MAX}자여야 합니다.")
    return value
