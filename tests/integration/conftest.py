"""Integration tests run on SQLite and on real PostgreSQL, every run."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each storage test once per database."""
    return str(request.param)
