"""i'mport's response envelope: ``{"code", "message", "response"}``.

Success is ``code`` 0, ``message`` null, HTTP 200 for every method: iamport-rest-client and
async-iamport treat anything but 200 as an error, so a POST must not answer 201.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class EnvelopeResponse(JSONResponse):
    """JSON with the charset i'mport declares and Korean text left unescaped."""

    media_type = "application/json; charset=UTF-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def success(response: Any, *, status_code: int = 200) -> EnvelopeResponse:
    """A successful answer carrying ``response``."""
    return EnvelopeResponse({"code": 0, "message": None, "response": response}, status_code)


def failure(
    message: str, *, code: int = -1, status_code: int = 400, headers: dict[str, str] | None = None
) -> EnvelopeResponse:
    """A failed answer: non-zero ``code``, a string ``message``, ``response`` null."""
    return EnvelopeResponse(
        {"code": code, "message": message, "response": None}, status_code, headers=headers
    )
