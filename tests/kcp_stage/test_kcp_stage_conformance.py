"""The conformance scenarios against KCP's real stage server, ``https://stg-spl.kcp.co.kr``.

Runs only when a KCP stage site's credentials are given (otherwise every test here is skipped,
naming the variables):

- ``HOMEPORT_KCP_STAGE_SITE_CD``: the site code (KCP's general test site is ``T0000``);
- ``HOMEPORT_KCP_STAGE_CERT``: path of the site's service certificate (PEM);
- ``HOMEPORT_KCP_STAGE_KEY``: path of its private key (encrypted PKCS#8 PEM);
- ``HOMEPORT_KCP_STAGE_KEY_PASSWORD``: the key's password;
- optional ``HOMEPORT_KCP_STAGE_GROUP_ID``: a billing group of that site (e.g. ``A52Q71000489``
  for ``A52Q7``); the billing-key scenarios need it;
- optional ``HOMEPORT_KCP_STAGE_CARD``: the card key-in charges use, as
  ``NUMBER,YYYY-MM,BIRTH,PW2`` (default: the legacy stage test card of kcp.md §13, which may
  no longer be accepted).

Window scenarios need a person in KCP's payment window, KCP's stage cannot be made to
decline or fail on purpose, and its mock-deposit page is a web page for people (kcp.md §9.5):
those scenarios are marked as not run here (the sandbox runs them in ``tests/conformance``);
so are the escrow scenarios, which need a window and an escrow site. Virtual accounts issued
without a window (at 국민은행, ``004``) do run. Approvals made here are cancelled by the
scenarios that make them, except a plain key-in charge and an issued virtual account, which
stage does not settle (kcp.md §3.4: no money moves on ``T0000``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from homeport.clock import SystemClock
from homeport.pg.base import CardInput, PgConnector
from homeport.pg.kcp.connector import KcpConnector
from homeport.testing.connector_conformance import (
    SCENARIOS,
    ConformanceTarget,
    ConnectorKind,
    Requirement,
    Scenario,
)
from tests.e2e.processes import free_port

STAGE_URL = "https://stg-spl.kcp.co.kr"
REQUIRED = (
    "HOMEPORT_KCP_STAGE_SITE_CD",
    "HOMEPORT_KCP_STAGE_CERT",
    "HOMEPORT_KCP_STAGE_KEY",
    "HOMEPORT_KCP_STAGE_KEY_PASSWORD",
)
GROUP_ID = "HOMEPORT_KCP_STAGE_GROUP_ID"
CARD = "HOMEPORT_KCP_STAGE_CARD"
#: A legacy stage test card (kcp.md §13: 5164530000000000, expiry 7912, tax no 000101, pwd 00).
LEGACY_STAGE_CARD = CardInput(
    number="5164530000000000", expiry="2079-12", birth="000101", password_2digit="00"
)

#: Only the variables above are read; tests/kcp_stage may read the environment (pyproject.toml).
_environment = {name: os.environ.get(name, "") for name in (*REQUIRED, GROUP_ID, CARD)}
_missing = [name for name in REQUIRED if not _environment.get(name)]

pytestmark = [
    pytest.mark.kcp_stage,
    pytest.mark.conformance,
    pytest.mark.skipif(
        bool(_missing),
        reason=(
            f"KCP stage credentials not configured: set {', '.join(REQUIRED)} "
            f"(and optionally {GROUP_ID}, {CARD}); missing {', '.join(_missing)}"
        ),
    ),
]

#: Why a requirement cannot be met on KCP's stage.
NOT_ON_STAGE = {
    Requirement.WINDOW: "needs a person to complete KCP's payment window (testsmpay.kcp.co.kr)",
    Requirement.FAULTS: "KCP's stage cannot be made to time out or fail on purpose",
    Requirement.DECLINING_CARD: "KCP publishes no card number its stage declines",
    Requirement.VBANK_DEPOSIT: "KCP's stage mock-deposit page (kcp.md §9.5) needs a person",
    Requirement.ESCROW: "escrow needs KCP's escrow test site and a window; one site is configured here",
}


@dataclass(frozen=True)
class StageSettings:
    """A KCP stage site's credentials, from the environment."""

    site_cd: str
    certificate: Path
    private_key: Path
    key_password: str
    group_id: str | None
    card: CardInput


def _card(text: str | None) -> CardInput:
    if not text:
        return LEGACY_STAGE_CARD
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4:
        pytest.fail(f"{CARD} must be NUMBER,YYYY-MM,BIRTH,PW2", pytrace=False)
    number, expiry, birth, password = parts
    return CardInput(number=number, expiry=expiry, birth=birth, password_2digit=password)


def _scenario_params() -> list[object]:
    params: list[object] = []
    for scenario in SCENARIOS:
        reasons = [NOT_ON_STAGE[r] for r in scenario.requires if r in NOT_ON_STAGE]
        marks = (
            [
                pytest.mark.skip(
                    reason=f"not run on KCP stage: {reasons[0]}; tests/conformance runs it on the sandbox"
                )
            ]
            if reasons
            else []
        )
        params.append(pytest.param(scenario, id=scenario.name, marks=marks))
    return params


@pytest.fixture(scope="module")
def stage() -> StageSettings:
    """The stage site's settings (the module is skipped when they are missing)."""
    return StageSettings(
        site_cd=_environment["HOMEPORT_KCP_STAGE_SITE_CD"],
        certificate=Path(_environment["HOMEPORT_KCP_STAGE_CERT"]),
        private_key=Path(_environment["HOMEPORT_KCP_STAGE_KEY"]),
        key_password=_environment["HOMEPORT_KCP_STAGE_KEY_PASSWORD"],
        group_id=_environment.get(GROUP_ID) or None,
        card=_card(_environment.get(CARD)),
    )


@pytest.fixture
def stage_target(stage: StageSettings) -> ConformanceTarget:
    """What KCP's stage offers a program: key-in charges, billing with a group id, virtual
    accounts by API, nothing else."""
    return ConformanceTarget(
        name="KCP stage",
        # KCP's window return fields (kcp.md §10): the tokens are never sent, nothing listens.
        sample_window_return={"res_cd": "0000", "tran_cd": "00100000", "enc_data": "x__", "enc_info": "y__"},
        window=None,
        window_methods=frozenset(),
        billing_group_id=stage.group_id,
        keyin=True,
        keyin_card=stage.card,
        faults=None,
        now=SystemClock().now,
        order_prefix="HPS",
        vbank_bank_code="004",
    )


@pytest.fixture
async def stage_connector_for(stage: StageSettings) -> AsyncIterator[Callable[[ConnectorKind], PgConnector]]:
    """Builds the KCP connector a scenario asks for, at KCP's stage (or a closed local port)."""
    clients: list[httpx.AsyncClient] = []

    def build(kind: ConnectorKind) -> PgConnector:
        if kind is ConnectorKind.SHORT_READ_TIMEOUT:
            pytest.fail("no scenario that needs injected faults runs on KCP stage", pytrace=False)
        http = httpx.AsyncClient()
        clients.append(http)
        return KcpConnector.from_files(
            site_cd=stage.site_cd,
            certificate_path=stage.certificate,
            private_key_path=stage.private_key,
            key_password=stage.key_password,
            base_url=f"http://127.0.0.1:{free_port()}" if kind is ConnectorKind.UNREACHABLE else STAGE_URL,
            http=http,
            group_id=stage.group_id,
        )

    yield build
    for http in clients:
        await http.aclose()


@pytest.mark.parametrize("scenario", _scenario_params())
async def test_kcp_connector_on_kcp_stage(
    scenario: Scenario,
    stage_target: ConformanceTarget,
    stage_connector_for: Callable[[ConnectorKind], PgConnector],
) -> None:
    """The KCP connector behaves on KCP's stage as the scenario says (the id names the behaviour)."""
    if Requirement.BILLING in scenario.requires and stage_target.billing_group_id is None:
        pytest.skip(
            f"set {GROUP_ID} (a billing group of HOMEPORT_KCP_STAGE_SITE_CD) to run billing-key scenarios"
        )
    unmet = scenario.unmet(stage_target)
    assert unmet is None, unmet
    await scenario.run(stage_connector_for(scenario.connector), stage_target)
