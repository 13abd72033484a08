"""Serving one KCP call: reading the JSON body and its fields, checking credentials, answering.

Every request is a JSON object of strings; every answer is HTTP 200 JSON (:class:`KcpResponse`),
errors included (:class:`Failure`). :func:`serve` applies injected faults and scenarios
(:mod:`homeport.sandbox.faults`) around a handler, inside one ledger transaction.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from homeport.sandbox import codes, faults, scenarios
from homeport.sandbox.clock import kcp_time
from homeport.sandbox.config import SiteConfig
from homeport.sandbox.context import Sandbox, sandbox_of
from homeport.sandbox.credentials import (
    certificate_from_cert_info,
    signature_valid,
)

JSON_TYPE = "application/json; charset=utf-8"
#: Legacy: ``ordr_idxx`` is at most 40 characters (kcp.md §2).
MAX_ORDER_LENGTH = 40

_AMOUNT = re.compile(r"[0-9]{1,12}")


class KcpResponse(Response):
    """A KCP JSON answer: compact UTF-8 (Korean unescaped), as KCP's samples read it."""

    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        """The JSON bytes."""
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Failure(Exception):
    """A KCP error answer: ``res_cd`` with its messages, and what exactly was wrong."""

    def __init__(self, code: codes.Code, detail: str = "") -> None:
        super().__init__(f"{code.res_cd} {detail}")
        self.code = code
        self.detail = detail

    def body(self, *, register: bool = False) -> dict[str, str]:
        """The error answer (registration speaks ``Code``/``Message``)."""
        message = f"{self.code.res_msg} ({self.detail})" if self.detail else self.code.res_msg
        if register:
            return {"Code": self.code.res_cd, "Message": message}
        english = f"{self.code.res_en_msg}: {self.detail}" if self.detail else self.code.res_en_msg
        return {"res_cd": self.code.res_cd, "res_msg": message, "res_en_msg": english}


def ok(code: codes.Code = codes.OK) -> dict[str, str]:
    """The head of a success answer."""
    return {"res_cd": code.res_cd, "res_msg": code.res_msg, "res_en_msg": code.res_en_msg}


@dataclass
class Call:
    """One request being served: its fields, the sandbox, and what faults still have to do."""

    sandbox: Sandbox
    fields: dict[str, str]
    injected: scenarios.Scenario
    hold: bool = False  # answer only after hold_seconds ("timeout")
    late: bool = False  # answer after slow_seconds ("slow", from a stored scenario)
    site: SiteConfig | None = None

    # --- reading fields ------------------------------------------------------------------

    def text(self, name: str) -> str:
        """A required field; MISSING_FIELD naming it when absent or empty."""
        value = self.fields.get(name, "")
        if value == "":
            raise Failure(codes.MISSING_FIELD, name)
        return value

    def optional(self, name: str, default: str = "") -> str:
        """An optional field."""
        return self.fields.get(name) or default

    def money(self, name: str, *, minimum: int = 1) -> int:
        """A required amount in won: ASCII digits, at least ``minimum``."""
        return self.amount_text(name, self.text(name), minimum=minimum)

    @staticmethod
    def amount_text(name: str, text: str, *, minimum: int = 1) -> int:
        """An amount given as text."""
        if not _AMOUNT.fullmatch(text):
            raise Failure(codes.BAD_FIELD, f"{name}={text!r} is not an amount in won (1-12 digits)")
        value = int(text)
        if value < minimum:
            raise Failure(codes.BAD_FIELD, f"{name} must be at least {minimum}")
        return value

    def same_amount(self, name: str, amount: int) -> None:
        """An optional amount (``card_mny``, ``va_mny``) that, when sent, must equal ``amount``."""
        text = self.optional(name)
        if text and self.amount_text(name, text) != amount:
            raise Failure(codes.BAD_FIELD, f"{name} must equal amount")

    def order_number(self, name: str = "ordr_idxx") -> str:
        """The merchant's order number (at most 40 characters)."""
        value = self.text(name)
        if len(value) > MAX_ORDER_LENGTH:
            raise Failure(codes.BAD_FIELD, f"{name} is longer than {MAX_ORDER_LENGTH} characters")
        return value

    # --- credentials ---------------------------------------------------------------------

    def authenticate(self) -> SiteConfig:
        """Check ``site_cd`` and ``kcp_cert_info`` (kcp.md §3.1, §14.1)."""
        site_cd = self.text("site_cd")
        site = self.sandbox.site(site_cd)
        if site is None:
            raise Failure(codes.UNKNOWN_SITE, f"site_cd {site_cd}")
        cert_info = self.text("kcp_cert_info")
        credentials = self.sandbox.credentials.get(site_cd)
        expected = self.sandbox.cert_infos.get(site_cd) if credentials else None
        if cert_info != expected:
            if "\r" in cert_info or "\n" in cert_info:
                hint = "kcp_cert_info must be the PEM with every CR and LF removed"
            elif "BEGINCERTIFICATE" in cert_info:
                hint = "keep the spaces of the BEGIN/END CERTIFICATE lines; remove only CR/LF"
            else:
                hint = f"kcp_cert_info is not the certificate issued to {site_cd}"
            raise Failure(codes.BAD_CERT, hint)
        self.site = site
        return site

    @property
    def site_cd(self) -> str:
        """The authenticated site's code."""
        if self.site is None:  # pragma: no cover - handlers authenticate first
            raise RuntimeError("not authenticated")
        return self.site.site_cd

    def verify_signature(self, *names: str) -> None:
        """Check ``kcp_sign_data`` over ``site_cd^<names...>`` (kcp.md §3.3)."""
        sign_data = self.text("kcp_sign_data")
        message = "^".join(self.fields.get(name, "") for name in ("site_cd", *names))
        certificate = certificate_from_cert_info(self.fields.get("kcp_cert_info", ""))
        if certificate is None or not signature_valid(certificate, message, sign_data):
            what = "^".join(("site_cd", *names))
            raise Failure(
                codes.BAD_SIGNATURE,
                f"kcp_sign_data is not a SHA256withRSA signature of {what} by the certificate's key",
            )

    def signed_tno(self, name: str) -> tuple[str, str]:
        """Authenticate, then ``tno`` and ``name``, signed over ``site_cd^tno^<name>``."""
        self.authenticate()
        tno = self.text("tno")
        value = self.text(name)
        self.verify_signature("tno", name)
        return tno, value

    # --- scenarios -----------------------------------------------------------------------

    def play(self, scenario: scenarios.Scenario) -> None:
        """A stored scenario's fault: answer broken now, or answer late."""
        if scenario.fault in faults.BEFORE:
            raise faults.Fault(scenario.fault)
        if scenario.fault == "timeout":
            self.hold = True
        elif scenario.fault == "slow":
            self.late = True

    def commit_point(self) -> None:
        """The request would succeed: an injected decline refuses it now, changing nothing."""
        if self.injected.decline is not None:
            raise Failure(self.injected.decline)

    # --- time and identifiers ------------------------------------------------------------

    def now(self) -> str:
        """The current time, KCP-style."""
        return kcp_time(self.sandbox.clock.now())


Handler = Callable[[Call], dict[str, str]]


def _parse(raw: bytes) -> tuple[dict[str, str], str]:
    """The request's fields, or what is wrong with the body."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, "the body is not JSON; KCP takes a JSON object of strings"
    if not isinstance(data, dict):
        return {}, "the body is not a JSON object"
    for key, value in data.items():
        if not isinstance(value, str):
            return {}, f"{key} must be a JSON string (KCP sends every value as a string)"
    return data, ""


async def serve(request: Request, handler: Handler, *, register: bool = False) -> Response:
    """Read, check and answer one KCP call, applying faults and scenarios."""
    sandbox = sandbox_of(request)
    fields, problem = _parse(await request.body())
    injected = faults.injected(request.headers.get(scenarios.FAULT_HEADER), fields)
    if injected.fault in faults.BEFORE:
        return faults.response(injected.fault)
    if injected.fault == "slow":
        await asyncio.sleep(sandbox.config.slow_seconds)
    call = Call(sandbox=sandbox, fields=fields, injected=injected, hold=injected.fault == "timeout")
    try:
        if problem:
            raise Failure(codes.BAD_FIELD, problem)
        # One ledger transaction per call: a Failure or Fault rolls every write back. No
        # await happens inside, so concurrent calls cannot interleave.
        with sandbox.ledger.transaction():
            body = handler(call)
    except faults.Fault as fault:
        return faults.response(fault.kind)
    except Failure as failure:
        body = failure.body(register=register)
    if call.hold:
        await asyncio.sleep(sandbox.config.hold_seconds)
    elif call.late:
        await asyncio.sleep(sandbox.config.slow_seconds)
    return KcpResponse(body)
