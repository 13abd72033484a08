"""The browser-facing URL of the embedded sandbox and the page origin a window reports to
(decision 0007)."""

from __future__ import annotations

import pytest

from homeport.domain.checkout.windows import browser_url, window_origin
from homeport.domain.errors import InvalidRequest

INTERNAL = "http://kcp-sandbox"
PUBLIC = "https://pay.shop.example/sandbox"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://kcp-sandbox/plugin/kcp_spay_hub.js",
            "https://pay.shop.example/sandbox/plugin/kcp_spay_hub.js",
        ),
        (
            "http://kcp-sandbox/pay/jsp/encodingFilter/encodingFilter.jsp",
            "https://pay.shop.example/sandbox/pay/jsp/encodingFilter/encodingFilter.jsp",
        ),
        ("http://kcp-sandbox", "https://pay.shop.example/sandbox"),
    ],
)
def test_an_in_process_sandbox_url_becomes_the_sandbox_mount(url: str, expected: str) -> None:
    assert browser_url(url, internal_base=INTERNAL, public_base=PUBLIC) == expected
    assert browser_url(url, internal_base=INTERNAL + "/", public_base=PUBLIC + "/") == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://testspay.kcp.co.kr/plugin/kcp_spay_hub.js",
        "https://testsmpay.kcp.co.kr/pay/jsp/encodingFilter/encodingFilter.jsp",
        "http://kcp-sandbox.evil.test/pay/pc",  # shares the prefix, not the host
    ],
)
def test_other_urls_are_never_rewritten(url: str) -> None:
    assert browser_url(url, internal_base=INTERNAL, public_base=PUBLIC) == url


def test_without_a_mounted_sandbox_nothing_is_rewritten() -> None:
    url = "http://kcp-sandbox/plugin/kcp_spay_hub.js"

    assert browser_url(url, internal_base=INTERNAL, public_base=None) == url
    assert browser_url(url, internal_base="", public_base=PUBLIC) == url


@pytest.mark.parametrize(
    "origin", ["https://shop.example", "http://localhost:8080", "http://127.0.0.1:3000", "http://[::1]:8000"]
)
def test_a_page_origin_is_scheme_host_and_port(origin: str) -> None:
    assert window_origin(origin) == origin


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example/",
        "https://shop.example/checkout",
        "https://shop.example?x=1",
        "https://shop.example#top",
        "https://user@shop.example",
        "https://shop.example:port",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "shop.example",
        "*",
        "https://" + "a" * 300 + ".example",
    ],
)
def test_anything_else_is_refused_as_an_origin(origin: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        window_origin(origin)
    assert "origin" in refused.value.message
