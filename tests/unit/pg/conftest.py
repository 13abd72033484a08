"""Fixtures for the KCP connector's unit tests: generated credentials and a stub KCP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from homeport.pg.kcp import KcpConnector, KcpCredentials
from tests.unit.pg.support import Pair, ServerThread, StubKcp, make_pair


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """A certificate (CRLF line ends, as Windows tools write) and its encrypted key."""
    return make_pair(tmp_path_factory.mktemp("kcp-pair"), crlf=True)


@pytest.fixture(scope="session")
def other_pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """Another site's certificate and key."""
    return make_pair(tmp_path_factory.mktemp("kcp-other"), cn="2024010810006667")


@pytest.fixture(scope="session")
def credentials(pair: Pair) -> KcpCredentials:
    """Credentials loaded from the pair's files."""
    return KcpCredentials.from_files(pair.certificate, pair.key, pair.password)


@pytest.fixture(scope="session")
def stub_server() -> Iterator[StubKcp]:
    """One real HTTP server for the session; tests set replies and read requests."""
    stub = StubKcp()
    thread = ServerThread(stub)
    stub.port = thread.start()
    yield stub
    thread.stop()


@pytest.fixture
def stub(stub_server: StubKcp) -> StubKcp:
    """The stub server, cleared for this test."""
    stub_server.replies.clear()
    stub_server.requests.clear()
    return stub_server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client (the connector is handed one)."""
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def connector(credentials: KcpCredentials, stub: StubKcp, http: httpx.AsyncClient) -> KcpConnector:
    """A connector for T0000 talking to the stub server."""
    return KcpConnector(
        credentials, site_cd="T0000", base_url=stub.base_url, http=http, group_id="T00001000001"
    )
