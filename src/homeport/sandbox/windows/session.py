"""An open window (the merchant's fields, kept server-side) and what stops a window."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from homeport.sandbox import codes
from homeport.sandbox.clock import kcp_time
from homeport.sandbox.context import Sandbox

Channel = Literal["pc", "mobile"]

# Window-side failures KCP documents no code for (sandbox picks, in KCP's style).
TRADE_NOT_FOUND = codes.Code(
    "9201", "거래등록 정보(approval_key)가 없거나 만료되었습니다.", "unknown approval_key"
)
TRADE_MISMATCH = codes.Code(
    "9202", "결제 요청 정보가 거래등록 정보와 일치하지 않습니다.", "request does not match the trade"
)
METHOD_NOT_OFFERED = codes.Code(
    "9203", "요청한 결제수단을 사용할 수 없습니다.", "payment method not available"
)


class WindowError(Exception):
    """The window cannot go on: the merchant gets this code as the result."""

    def __init__(self, code: codes.Code, detail: str = "") -> None:
        super().__init__(detail or code.res_msg)
        self.code = code
        self.detail = detail or code.res_msg


class InputError(Exception):
    """The buyer's input is wrong: the window is shown again with this message."""


@dataclass
class Session:
    """An open window: the merchant's fields, kept server-side so the buyer cannot alter them."""

    window_id: str
    channel: Channel
    #: How the result goes back to Ret_URL (mobile): EUC-KR unless ``encoding_trans=UTF-8``.
    charset: str
    fields: dict[str, str]
    status: str = "open"
    created_at: str = ""

    def get(self, name: str) -> str:
        """A merchant field, stripped, or ``""``."""
        return self.fields.get(name, "").strip()

    def record(self) -> dict[str, Any]:
        """The ledger record (kind ``window``)."""
        return {
            "window_id": self.window_id,
            "channel": self.channel,
            "charset": self.charset,
            "fields": self.fields,
            "status": self.status,
            "created_at": self.created_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Session:
        """Back from the ledger."""
        channel: Channel = "pc" if record.get("channel") == "pc" else "mobile"
        return cls(
            window_id=str(record["window_id"]),
            channel=channel,
            charset=str(record.get("charset", "utf-8")),
            fields={str(k): str(v) for k, v in dict(record.get("fields", {})).items()},
            status=str(record.get("status", "open")),
            created_at=str(record.get("created_at", "")),
        )


def new_session(sandbox: Sandbox, channel: Channel, charset: str, fields: dict[str, str]) -> Session:
    """A window just posted by the merchant's page (not stored yet)."""
    return Session(
        window_id=secrets.token_urlsafe(18),
        channel=channel,
        charset=charset,
        fields=fields,
        created_at=kcp_time(sandbox.clock.now()),
    )
