"""``homeport webhook`` as an operator runs it (a child process on the test's database): the
settings with the signing secret, the log with every attempt, redelivery."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from homeport.clock import FakeClock, SystemClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.webhooks.models import DeliveryState, EventKind, WebhookFormat
from homeport.services import Services
from homeport.workers.outbox import OutboxWorker
from tests.e2e.merchant_endpoint import MerchantEndpoint
from tests.e2e.processes import homeport_env, run_homeport
from tests.e2e.test_webhooks import onetime
from tests.support import TEST_ENCRYPTION_KEY

SECRET_LINE = re.compile(r"secret: (whsec_\S+)")


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """The operator's environment: the services fixture's database and key."""
    return homeport_env(
        tmp_path,
        HOMEPORT_DATABASE_URL=database_url,
        HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        HOMEPORT_DEMO="false",
    )


async def test_settings_change_url_format_and_kinds_and_print_a_stable_secret(
    services: Services, merchant_a: CreatedMerchant, env: dict[str, str], tmp_path: Path
) -> None:
    code = merchant_a.merchant.code

    changed = run_homeport(
        "webhook", "settings", "--merchant", code, "--url", "https://shop.example/hook", "--format", "form",
        "--send", "failed", "--no-send", "schedule_failed", env=env, cwd=tmp_path,
    )  # fmt: skip
    shown = run_homeport("webhook", "settings", "--merchant", code, env=env, cwd=tmp_path)
    rotated = run_homeport(
        "webhook", "settings", "--merchant", code, "--rotate-secret", env=env, cwd=tmp_path
    )

    assert changed.returncode == 0, changed.stderr
    assert "url:    https://shop.example/hook" in changed.stdout
    assert "format: form" in changed.stdout
    secrets = [SECRET_LINE.search(run.stdout) for run in (changed, shown, rotated)]
    assert all(secrets), shown.stdout
    first, again, new = (m.group(1) for m in secrets if m)
    assert first == again != new
    stored = await services.webhooks.settings(merchant_a.merchant.id)
    assert (stored.url, stored.format, stored.secret) == (
        "https://shop.example/hook",
        WebhookFormat.FORM,
        new,
    )
    assert EventKind.FAILED in stored.kinds
    assert EventKind.SCHEDULE_FAILED not in stored.kinds


async def test_list_shows_attempts_and_redeliver_queues_the_event_again(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    endpoint = MerchantEndpoint()
    endpoint.start(status=503)
    try:
        await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url())
        paid = await onetime(api, auth)
        await OutboxWorker(services).run_once()
        [record] = await services.webhooks.events(imp_uid=paid["imp_uid"])

        listed = run_homeport(
            "webhook", "list", "--merchant", merchant_a.merchant.code, env=env, cwd=tmp_path
        )
        pending = run_homeport("webhook", "list", "--state", "pending", env=env, cwd=tmp_path)
        delivered = run_homeport("webhook", "list", "--state", "delivered", env=env, cwd=tmp_path)
        redelivered = run_homeport("webhook", "redeliver", record.event.id, env=env, cwd=tmp_path)
        endpoint.status = 200
        # The command ran on the wall clock: its delivery is due from then; the retry is due too.
        clock.set(SystemClock().now() + 1)
        assert await OutboxWorker(services).run_once() == 2
    finally:
        endpoint.stop()

    assert listed.returncode == 0, listed.stderr
    assert f"{record.event.id}  paid  status=paid  imp_uid={paid['imp_uid']}" in listed.stdout
    assert f"{endpoint.url()}  [json]  pending  attempts=1" in listed.stdout
    assert "HTTP 503" in listed.stdout
    assert record.event.id in pending.stdout
    assert delivered.stdout.strip() == "no webhook events"
    assert redelivered.returncode == 0, redelivered.stderr
    [after] = await services.webhooks.events(imp_uid=paid["imp_uid"])
    assert [(d.state, len(d.attempts)) for d in after.deliveries] == [
        (DeliveryState.DELIVERED, 2),
        (DeliveryState.DELIVERED, 1),
    ]
    assert {r.headers["webhook-id"] for r in endpoint.received} == {record.event.id}


async def test_unknown_events_and_states_are_refused_clearly(
    services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    unknown = run_homeport("webhook", "redeliver", "msg_nothing", env=env, cwd=tmp_path)
    bad_state = run_homeport("webhook", "list", "--state", "lost", env=env, cwd=tmp_path)

    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "error: 웹훅 이벤트를 찾을 수 없습니다. (msg_nothing)",
    )
    assert bad_state.returncode == 2
    assert "--state must be one of" in bad_state.stderr
