"""What every :class:`~homeport.pg.base.PgConnector` must do, as runnable scenarios.

Each scenario is an async function ``(connector, target) -> None`` that drives a connector
through one flow of the protocol in :mod:`homeport.pg.base` and raises
:class:`ConformanceError` (an ``AssertionError``) when the connector does not behave as the
protocol says. The same scenarios run against the KCP sandbox in homeport's own test suite
(``tests/conformance``) and against KCP's stage server (``tests/kcp_stage``); a new PG
connector runs them against its PG's test server.

A :class:`ConformanceTarget` says what the PG side offers: a way to complete a payment window
(a callable that plays the buyer), a billing group, key-in payments, a card the PG declines,
whether faults (a reply held past the client's timeout, HTTP 500...) can be injected, a bank
to issue virtual accounts at without a window and a tool that pays them (returning the PG's
:class:`SentNotification`), and an escrow site.
:attr:`Scenario.unmet` tells why a scenario cannot run against a target; nothing here skips
by itself.

Each :class:`Scenario` also names the connector it needs (:class:`ConnectorKind`): the
target's ordinary channel, one whose site issues billing keys, one whose site takes escrow
payments, one whose HTTP client gives up reading sooner than the target holds a reply, or one
pointed where nothing listens. The
harness builds those; the scenarios only call the protocol.

With pytest::

    @pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
    async def test_connector(scenario: Scenario, connectors, target: ConformanceTarget) -> None:
        assert scenario.unmet(target) is None
        await scenario.run(connectors[scenario.connector], target)

Order ids are fresh random alphanumerics (KCP takes at most 40), so scenarios can run again
against a server that keeps its state. Payments a scenario approves are mostly left as they
are; the cancel and billing scenarios cancel what they charge.

The package holds one module per scenario family: :mod:`.windows`, :mod:`.cancels`,
:mod:`.vbanks` (virtual accounts without a window), :mod:`.escrow`, :mod:`.billing`,
:mod:`.failures`; :mod:`.target` is the vocabulary above, :mod:`.checks` and
:mod:`.flows` the expectations and steps scenarios share, and :mod:`.registry` the list.
Import from this package: the module layout is not part of the interface.
"""

from __future__ import annotations

from homeport.testing.connector_conformance.flows import new_order_id
from homeport.testing.connector_conformance.registry import SCENARIOS, scenario_named
from homeport.testing.connector_conformance.target import (
    AMOUNT_MISMATCH,
    DEFAULT_KEYIN_CARD,
    ConformanceError,
    ConformanceTarget,
    ConnectorKind,
    FaultInjection,
    Requirement,
    Scenario,
    SentNotification,
    VbankDeposit,
    WindowDriver,
    WindowOrder,
)

__all__ = [
    "AMOUNT_MISMATCH",
    "DEFAULT_KEYIN_CARD",
    "SCENARIOS",
    "ConformanceError",
    "ConformanceTarget",
    "ConnectorKind",
    "FaultInjection",
    "Requirement",
    "Scenario",
    "SentNotification",
    "VbankDeposit",
    "WindowDriver",
    "WindowOrder",
    "new_order_id",
    "scenario_named",
]
