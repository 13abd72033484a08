"""Fixtures of the checkout e2e tests: the buyer's browser and the merchant's REST credentials."""

from __future__ import annotations

import httpx
import pytest

from homeport.services import Services


@pytest.fixture
def browser(services: Services) -> httpx.AsyncClient:
    """The buyer's browser, reaching the embedded sandbox's windows."""
    assert services.sandbox_http is not None
    return services.sandbox_http


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}
