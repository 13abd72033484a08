"""The KCP connector passes every conformance scenario against the sandbox, over real HTTP.

The scenarios live in :mod:`homeport.testing.connector_conformance`; each runs with the
connector it names (conftest.py builds them) against a sandbox that offers everything: windows
for every method, billing keys, key-in charges, a declining card and injected faults.
"""

from __future__ import annotations

import pytest

from homeport.testing.connector_conformance import SCENARIOS, ConformanceTarget, Scenario
from tests.conformance.conftest import ConnectorFactory

pytestmark = pytest.mark.conformance


def test_the_sandbox_can_run_every_scenario(sandbox_target: ConformanceTarget) -> None:
    """No scenario is left out against the sandbox: it offers all a scenario can need."""
    unmet = {s.name: s.unmet(sandbox_target) for s in SCENARIOS if s.unmet(sandbox_target) is not None}
    assert unmet == {}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_kcp_connector_on_the_sandbox(
    scenario: Scenario, sandbox_target: ConformanceTarget, connector_for: ConnectorFactory
) -> None:
    """The KCP connector behaves as the scenario says (the id names the behaviour)."""
    await scenario.run(connector_for(scenario.connector), sandbox_target)
