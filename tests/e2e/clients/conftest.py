"""One live ``homeport serve`` for every real-client test, with the demo shop seeded in it.

The server starts once for the package (the first test that asks for ``shop``) and stops after
its last test; every client module shares it, and so do the npm client scripts. See
``shop.py`` for the data and the rules on writing to it, ``node.py`` for the npm clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.e2e.clients.node import NodeRunner
from tests.e2e.clients.shop import Shop, seed
from tests.e2e.processes import pinned_demo_env, running_server


@pytest.fixture(scope="package")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """A ``homeport serve`` process on loopback with the demo merchant's payments seeded."""
    data_dir = tmp_path_factory.mktemp("live-homeport")
    with running_server(data_dir, pinned_demo_env(data_dir)) as server:
        yield asyncio.run(seed(server))


@pytest.fixture(scope="package")
def node_runner(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeRunner]:
    """The npm client scripts, pointed at the live server: ``node_runner.client("x.mjs")``."""
    runner = NodeRunner(shop.server.host, tmp_path_factory.mktemp("node-clients"))
    yield runner
    runner.stop()
