"""structlog configuration, with a processor that masks secrets before anything is written.

Card numbers, CVCs, passwords, API secrets, access tokens and billing keys must never reach a
log in clear (DESIGN invariants). The masking processor runs last before rendering, so it
covers every event, including ones carrying request bodies or exception text.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from homeport.domain.cards import mask_card_number

#: Keys whose values are secret whatever they look like (compared lower-cased).
SECRET_KEYS = frozenset(
    {
        "imp_secret",
        "secret",
        "password",
        "passwd",
        "pwd_2digit",
        "card_pwd",
        "cvc",
        "cvv",
        "access_token",
        "token",
        "authorization",
        "x-imptokenheader",
        "billing_key",
        "batch_key",
        "bt_batch_key",
        "private_key",
        "private_key_password",
        "kcp_cert_info",
        "kcp_sign_data",
        "encryption_key",
    }
)
#: Keys holding card numbers: kept recognisable (first 6, last 4) but never whole.
CARD_KEYS = frozenset({"card_number", "card_no", "card_num", "cardno"})

# 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a PAN.
_PAN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
MASK = "[MASKED]"


def _mask_text(text: str) -> str:
    return _PAN.sub(lambda m: mask_card_number(m.group(0)), text)


def mask_value(key: str, value: Any) -> Any:
    """The loggable form of ``value`` stored under ``key``."""
    lowered = key.lower()
    if lowered in SECRET_KEYS:
        return MASK if value not in (None, "") else value
    if lowered in CARD_KEYS and isinstance(value, str):
        return mask_card_number(value)
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(key, v) for v in value]
    if isinstance(value, str):
        return _mask_text(value)
    return value


def mask_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask secret keys and anything shaped like a card number."""
    for key in list(event_dict):
        event_dict[key] = mask_value(key, event_dict[key])
    return event_dict


def configure_logging(*, json: bool, level: str) -> None:
    """Set structlog up once per process: JSON lines in production, readable in a terminal."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
