"""The sandbox's control endpoints reset state and fake deposits: only loopback may call them,
and no client input makes them (or the windows) answer 500."""

from __future__ import annotations

import httpx

from homeport.sandbox.app import create_sandbox_app
from homeport.sandbox.context import Sandbox


async def test_control_endpoints_refuse_callers_from_other_machines(sandbox: Sandbox) -> None:
    """A request from a non-loopback address gets 403 and changes nothing."""
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox), client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as remote:
        reset = await remote.post("/_sandbox/reset")
        sites = await remote.get("/_sandbox/sites")

    assert reset.status_code == 403
    assert sites.status_code == 403


async def test_absurdly_nested_json_is_a_400_not_a_crash(sandbox: Sandbox) -> None:
    """A deposit body nested deeper than the JSON parser's recursion limit is refused cleanly."""
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as local:
        answer = await local.post(
            "/_sandbox/deposit", content=b"[" * 100_000 + b"]" * 100_000,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip

    assert answer.status_code == 400


async def test_a_window_form_with_a_non_text_charset_is_not_a_crash(sandbox: Sandbox) -> None:
    """charset=idna or hex on a window post falls back to the default charset."""
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as local:
        for charset in ("idna", "hex"):
            answer = await local.post(
                "/pay/mobileGW.kcp",
                content=b"site_cd=T0000&approval_key=x",
                headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
            )
            assert answer.status_code < 500
