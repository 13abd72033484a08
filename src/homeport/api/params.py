"""Query-string parameters in every form i'mport clients produce.

Arrays arrive as ``imp_uid[]=a&imp_uid[]=b`` (Node, Java, Go; brackets often
percent-encoded), ``imp_uid[0]=a&imp_uid[1]=b`` (PHP) or ``imp_uid=a&imp_uid=b`` (the legacy
npm client and iamporter). Numbers arrive as text and are checked here with clear messages.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import QueryParams

from homeport.domain.errors import InvalidRequest

E = TypeVar("E", bound=StrEnum)

_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")


def query_list(params: QueryParams, name: str) -> list[str]:
    """All values of array parameter ``name`` in request order (indexed forms by index)."""
    plain: list[str] = []
    indexed: list[tuple[int, int, str]] = []
    for position, (key, value) in enumerate(params.multi_items()):
        if key == name:
            plain.append(value)
            continue
        match = _INDEXED.match(key)
        if match and match["name"] == name:
            index = int(match["index"]) if match["index"] else position
            indexed.append((index, position, value))
    return plain + [value for _, _, value in sorted(indexed)]


def query_int(params: QueryParams, *names: str) -> int | None:
    """The first of ``names`` present, as an integer; absent or empty is None."""
    for name in names:
        raw = params.get(name)
        if raw is None or raw.strip() == "":
            continue
        text = raw.strip()
        if not re.fullmatch(r"-?\d+", text):
            raise InvalidRequest(f"{name}는 정수여야 합니다. (got {raw!r})")
        return int(text)
    return None


def query_bool(params: QueryParams, name: str) -> bool | None:
    """A boolean parameter: true/false/1/0 in any case; absent is None."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise InvalidRequest(f"{name}는 true 또는 false여야 합니다. (got {raw!r})")


def query_choice(params: QueryParams, name: str, choices: type[E], default: E) -> E:
    """Parameter ``name`` as one of ``choices`` (absent or empty: ``default``)."""
    raw = params.get(name) or default.value
    try:
        return choices(raw)
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise InvalidRequest(f"{name}은 {allowed} 중 하나여야 합니다. (got {raw!r})") from None
