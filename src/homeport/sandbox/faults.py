"""Injected faults: what the sandbox answers instead of KCP's JSON when a scenario says so.

Where a fault comes from (scenarios.py has the table of triggers):

- the ``X-Sandbox-Fault`` header, on any request;
- a magic amount in ``ordr_mony``, ``amount`` or ``mod_mny`` (the header wins over amounts);
- the scenario stored on a window authentication or a batch key (card scenarios), found
  only once the request has been read and checked.

When it happens:

- ``http500``: before processing, HTTP 500 with an HTML error page (a crashed gateway);
- ``http502``: before processing, HTTP 502 with an empty body (a proxy in front);
- ``malformed``: before processing, HTTP 200 ``application/json`` with a truncated,
  non-JSON body;
- ``slow``: the request is answered normally, ``slow_seconds`` late;
- ``timeout``: the request is processed normally (the transaction exists at "KCP"), then
  the answer is held ``hold_seconds``: the client gives up first, and only inquiry tells
  what happened.

Faults "before processing" leave no state behind; a stored scenario's fault is raised inside
the ledger transaction, which is then rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import Response

from homeport.sandbox import scenarios

#: Faults answered instead of processing the request.
BEFORE = frozenset({"http500", "http502", "malformed"})
#: Fields whose magic values trigger amount scenarios.
AMOUNT_FIELDS = ("ordr_mony", "amount", "mod_mny")

_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    "<body><h1>Internal Server Error</h1>"
    "<p>The server encountered an internal error (homeport sandbox fault).</p></body></html>"
)


class Fault(Exception):
    """A stored scenario's fault, raised while processing (the ledger rolls back)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def injected(header: str | None, fields: Mapping[str, object]) -> scenarios.Scenario:
    """The scenario a request asks for: the fault header, else the first magic amount."""
    from_header = scenarios.from_header(header)
    if from_header is not scenarios.NORMAL:
        return from_header
    for name in AMOUNT_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            scenario = scenarios.for_amount(value.strip())
            if scenario is not scenarios.NORMAL:
                return scenario
    return scenarios.NORMAL


def response(kind: str) -> Response:
    """What a fault answers (``http500``, ``http502`` or ``malformed``)."""
    if kind == "http500":
        return Response(_ERROR_PAGE, status_code=500, media_type="text/html; charset=utf-8")
    if kind == "http502":
        return Response(b"", status_code=502)
    # A success body cut short in the middle of a Korean word: neither JSON nor valid UTF-8.
    whole = json.dumps({"res_cd": "0000", "res_msg": "정상처리"}, ensure_ascii=False).encode()
    cut = whole[: whole.index("정".encode()) + 2]
    return Response(cut, status_code=200, media_type="application/json; charset=utf-8")
