"""Shared fixtures: databases (SQLite always, PostgreSQL from the pgserver wheel), services, API.

Every test gets its own database: SQLite by copying a migrated template file, PostgreSQL by
``CREATE DATABASE ... TEMPLATE`` from a migrated template, so migrations run once a session.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeport.app import build_services, create_app, prepare
from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant, NewChannel
from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.credentials import ensure_credentials
from homeport.services import Services
from tests.support import copy_sqlite, migrate_sync, settings_for, token_for

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate_sync(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real PostgreSQL server from the pgserver wheel, for the whole session."""
    import pgserver  # noqa: PLC0415 - only sessions that use PostgreSQL pay for the import

    server = pgserver.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    template_url = server.get_uri("homeport_template")
    server.psql("CREATE DATABASE homeport_template;")
    migrate_sync(template_url)
    yield server
    server.cleanup()


def _postgres_url(server: Any) -> str:
    name = f"homeport_test_{next(_databases)}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE homeport_template;")
    return str(server.get_uri(name))


@pytest.fixture
def backend() -> str:
    """Which database a test's services use; integration tests parametrise it."""
    return "sqlite"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, migrated database for one test."""
    if backend == "postgres":
        return _postgres_url(request.getfixturevalue("pg_server"))
    return copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "homeport.db")


@pytest.fixture
def clock() -> FakeClock:
    """Test time, moved by hand."""
    return FakeClock()


@pytest.fixture(scope="session")
def sandbox_credentials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded sandbox's test-only credentials, generated once (RSA keys are slow)."""
    directory = tmp_path_factory.mktemp("sandbox-credentials")
    ensure_credentials(SandboxConfig(data_dir=directory))
    return directory / "credentials"


@pytest.fixture
async def services(
    database_url: str, clock: FakeClock, tmp_path: Path, sandbox_credentials: Path
) -> AsyncIterator[Services]:
    """Services on the test's database with the fake clock; the sandbox's data in tmp_path."""
    settings = settings_for(tmp_path, database_url)
    shutil.copytree(sandbox_credentials, settings.sandbox_data_dir / "credentials")
    built = build_services(settings, clock=clock)
    await prepare(built, create_demo=False)
    yield built
    await built.close()


@pytest.fixture
async def merchant_a(services: Services) -> CreatedMerchant:
    """A merchant with a sandbox KCP channel and a sandbox billing channel (batch group)."""
    return await services.merchants.create(
        "Shop A",
        channels=[
            NewChannel(site_code="T0000", site_name="Shop A"),
            NewChannel(site_code="A52Q7", batch_group_id="A52Q71000489", is_default=False),
        ],
    )


@pytest.fixture
async def merchant_b(services: Services) -> CreatedMerchant:
    """Another merchant, for tenancy tests."""
    return await services.merchants.create("Shop B", channels=[NewChannel(site_code="T0007")])


@pytest.fixture
async def api(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://homeport.test") as client:
        yield client


@pytest.fixture
async def token_a(api: httpx.AsyncClient, merchant_a: CreatedMerchant) -> str:
    """Merchant A's access token."""
    return await token_for(api, merchant_a)


@pytest.fixture
async def token_b(api: httpx.AsyncClient, merchant_b: CreatedMerchant) -> str:
    """Merchant B's access token."""
    return await token_for(api, merchant_b)
