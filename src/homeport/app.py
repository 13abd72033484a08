"""The composition root: settings in, a wired application out.

``build_services`` assembles storage, domain services and the clock; ``create_app`` puts the
HTTP surface on top. The CLI, the server and tests all go through these two functions, and
tests swap collaborators (a fake clock, another database) here rather than by patching.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from homeport import __version__
from homeport.api import billing_keys as billing_keys_api
from homeport.api import cancels as cancels_api
from homeport.api import charges as charges_api
from homeport.api import codes as codes_api
from homeport.api import escrows as escrows_api
from homeport.api import payments as payments_api
from homeport.api import prepare as prepare_api
from homeport.api import schedules as schedules_api
from homeport.api import users as users_api
from homeport.api import vbanks as vbanks_api
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.errors import install as install_error_handlers
from homeport.api.paths import TrailingSlashMiddleware
from homeport.checkout import api as checkout_api
from homeport.checkout import demo as checkout_demo
from homeport.checkout import pages as checkout_pages
from homeport.clock import Clock, SystemClock
from homeport.config import Settings
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.checkout.service import CheckoutService
from homeport.domain.errors import ConfigurationError
from homeport.domain.escrows.service import EscrowService
from homeport.domain.merchants.models import ChannelEnvironment, CreatedMerchant
from homeport.domain.merchants.service import MerchantService
from homeport.domain.payments.cancels import CancelService
from homeport.domain.payments.charges import ChargeService
from homeport.domain.payments.notification_service import NotificationService
from homeport.domain.payments.reconcile import ReconcileService
from homeport.domain.payments.service import PaymentService
from homeport.domain.payments.vbank_expiry import VbankExpiryService
from homeport.domain.payments.virtual_accounts import VirtualAccountService
from homeport.domain.prepares.service import PrepareService
from homeport.domain.schedules.service import ScheduleService
from homeport.domain.webhooks.service import WebhookService
from homeport.notifications import kcp as kcp_notifications
from homeport.notifications.kcp import KCP_NOTIFICATION_PATH
from homeport.observability.metrics import HttpMetrics, MetricsMiddleware
from homeport.payments_gateway import SANDBOX_BASE_URL, PaymentsGateway
from homeport.pg.kcp.connector import channel_credentials
from homeport.pg.kcp.environments import needs_pair_check
from homeport.sandbox.app import build_sandbox, create_sandbox_app
from homeport.sandbox.clock import KST
from homeport.sandbox.config import SandboxConfig, load_sites
from homeport.sandbox.context import Sandbox
from homeport.sandbox.notifications import NotificationLoop
from homeport.services import Services
from homeport.store import crypto
from homeport.store import meta as store_meta
from homeport.store.database import create_engine
from homeport.store.migrate import upgrade
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from homeport.workers.runner import BackgroundWorkers

log = structlog.get_logger("homeport")

#: Webhook requests: i'mport's first-delivery timeouts, connect 10 s and read 30 s (§6).
WEBHOOK_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)


def load_encryption_key(settings: Settings) -> bytes:
    """The configured key, or the generated key file of the data directory."""
    if settings.encryption_key is not None:
        return crypto.decode_key(settings.encryption_key.reveal())
    return crypto.load_or_create_key_file(settings.encryption_key_file)


class SandboxTime:
    """homeport's clock as the sandbox's (a datetime in Korea), so one fake clock moves both."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> dt.datetime:
        """The homeport clock's time in Korean time."""
        return dt.datetime.fromtimestamp(self._clock.now(), tz=KST)


def kcp_notification_url(settings: Settings) -> str:
    """Where KCP common notifications reach this homeport (loopback when listening on all)."""
    host = settings.host if settings.host not in {"", "0.0.0.0", "::"} else "127.0.0.1"  # noqa: S104
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}{KCP_NOTIFICATION_PATH}"


def notify_in_process(sandbox: Sandbox, app: FastAPI, settings: Settings) -> None:
    """Deliver the embedded sandbox's notifications for this homeport to ``app`` in-process.

    Sites that name no ``notify_url`` notify :func:`kcp_notification_url` (see
    :func:`sandbox_config`); requests to that origin go straight to the app, with no socket,
    from a loopback client address (which HOMEPORT_KCP_NOTIFY_ALLOW's default admits while the
    sandbox runs). In-process tests need no listening server, and ``homeport serve`` does not
    depend on how its host and port are reachable. Other URLs still go over the network.
    """
    origin = kcp_notification_url(settings).removesuffix(KCP_NOTIFICATION_PATH)
    to_app = httpx.ASGITransport(app=app, client=("127.0.0.1", 0), raise_app_exceptions=False)
    # The sandbox's client only notifies (build_sandbox); same timeouts, one origin mounted.
    sandbox.http = httpx.AsyncClient(timeout=sandbox.http.timeout, mounts={origin: to_app})


def sandbox_config(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    sites_file: Path | None = None,
    notify_url: str | None = None,
    in_memory: bool = False,
) -> SandboxConfig:
    """The KCP sandbox's configuration, embedded or run alone (``homeport sandbox ...``).

    Sites come from ``sites_file``, else ``<data dir>/sites.json`` if it exists, else KCP's
    test sites. ``notify_url`` replaces every site's; without it, a site that names none
    notifies homeport's own KCP notification endpoint (``/kcp/notifications``).
    """
    directory = data_dir or settings.sandbox_data_dir
    config = SandboxConfig(data_dir=directory, in_memory=in_memory)
    saved = directory / "sites.json"
    source = sites_file or (saved if saved.is_file() else None)
    if source is not None:
        try:
            config = replace(config, sites=load_sites(source))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"cannot read sandbox sites from {source}: {exc}") from None
    if notify_url:
        return config.with_notify_url(notify_url)
    default = kcp_notification_url(settings)
    return replace(
        config,
        sites=tuple(s if s.notify_url else replace(s, notify_url=default) for s in config.sites),
    )


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    with_sandbox: bool = True,
) -> Services:
    """Wire every collaborator from settings; nothing is started yet."""
    engine = engine or create_engine(settings.sqlalchemy_url, echo=settings.sql_echo)
    box = crypto.SecretBox(load_encryption_key(settings))
    clock = clock or SystemClock()
    uow = SqlUnitOfWorkFactory(engine, box)
    sandbox = None
    # Commands that never serve HTTP (db, merchant) pass with_sandbox=False, so they do not
    # generate sandbox credentials as a side effect.
    if settings.sandbox_enabled and with_sandbox:
        # Deposits notify homeport's /kcp/notifications (in-process once create_app runs).
        sandbox = build_sandbox(sandbox_config(settings), clock=SandboxTime(clock))
    sandbox_http = None
    if sandbox is not None:
        # Sandbox channels reach the embedded KCP in-process, with no socket in between.
        sandbox_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), base_url=SANDBOX_BASE_URL
        )
    pg_http = httpx.AsyncClient()
    merchants = MerchantService(uow, clock)
    gateway = PaymentsGateway(merchants, http=pg_http, sandbox=sandbox, sandbox_http=sandbox_http)
    billing_keys = BillingKeyService(uow, clock, gateway)
    charges = ChargeService(uow, clock, gateway, billing_keys)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        box=box,
        merchants=merchants,
        payments=PaymentService(uow),
        prepares=PrepareService(uow, clock),
        billing_keys=billing_keys,
        charges=charges,
        cancels=CancelService(uow, clock, gateway),
        virtual_accounts=VirtualAccountService(uow, clock, gateway),
        escrows=EscrowService(uow, clock, gateway),
        gateway=gateway,
        pg_http=pg_http,
        sandbox=sandbox,
        sandbox_http=sandbox_http,
        schedules=ScheduleService(
            uow, clock, billing_keys, charges, lease_seconds=settings.schedule_lease_seconds
        ),
        checkout=CheckoutService(uow, clock, gateway, sandbox_base_url=SANDBOX_BASE_URL),
        notifications=NotificationService(uow, clock),
        webhooks=WebhookService(uow, clock, retry_horizon=settings.webhook_retry_horizon),
        # Redirects are not followed: a webhook answered with 3xx is not received (§6: 200).
        webhook_http=httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT, follow_redirects=False),
        reconciliation=ReconcileService(uow, clock, gateway, reconcile_after=settings.reconcile_after),
        vbank_expiry=VbankExpiryService(uow, clock, grace=settings.vbank_expiry_grace),
    )


async def check_encryption_key(services: Services) -> None:
    """Refuse to run with a key other than the one the database was first used with."""
    sealed = services.box.seal(crypto.KEY_CHECK_PLAINTEXT, context=crypto.KEY_CHECK_CONTEXT)
    stored = await store_meta.setdefault(services.engine, "encryption_key_check", sealed)
    try:
        services.box.open(stored, context=crypto.KEY_CHECK_CONTEXT)
    except ConfigurationError:
        raise ConfigurationError(
            "this database was set up with a different encryption key; set "
            "HOMEPORT_ENCRYPTION_KEY to that key (every process sharing the database needs it)"
        ) from None


async def check_kcp_channels(services: Services) -> bool:
    """Refuse to start when a stage or production KCP channel's key and certificate do not
    belong together (or cannot be read): better now than at the first payment.

    Returns whether any channel is a production one.
    """
    production = False
    for summary in await services.merchants.list():
        for channel in summary.channels:
            if channel.pg_provider == "kcp" and needs_pair_check(channel.environment):
                try:
                    channel_credentials(channel)
                except ConfigurationError as problem:
                    raise ConfigurationError(f"merchant {summary.merchant.code}: {problem.message}") from None
            production |= channel.environment is ChannelEnvironment.PRODUCTION
    return production


@dataclass(frozen=True)
class Startup:
    """What preparing the database did."""

    demo: CreatedMerchant | None
    #: A merchant takes real money here: the embedded sandbox is then not served.
    has_production_channels: bool = False


async def prepare(services: Services, *, create_demo: bool = True) -> Startup:
    """Migrate the schema, check the encryption key and create the demo merchant if empty."""
    await upgrade(services.engine)
    await check_encryption_key(services)
    production = await check_kcp_channels(services)
    demo = None
    settings = services.settings
    if create_demo and settings.demo_enabled:
        demo = await services.merchants.ensure_demo(
            settings.demo_imp_key,
            settings.demo_imp_secret.reveal() if settings.demo_imp_secret else None,
        )
    return Startup(demo=demo, has_production_channels=production)


def create_app(
    services: Services,
    *,
    prepare_on_startup: bool = False,
    mount_sandbox: bool = True,
    run_workers: bool = False,
) -> FastAPI:
    """The ASGI application: the i'mport API at the root, plus /health and /metrics, and the
    KCP sandbox at /sandbox unless it is turned off.

    With ``run_workers`` (``homeport serve`` unless HOMEPORT_WORKERS=false) the background
    workers run in the app's event loop; in-process tests leave it off and call the tasks'
    ``run_once`` themselves, so no test charges anything behind its back.
    """
    sandbox = services.sandbox if mount_sandbox else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if prepare_on_startup:
            await prepare(services)
        # A mounted app's lifespan never runs, so the sandbox's notification retries run here.
        notifications = NotificationLoop(sandbox) if sandbox is not None else None
        if notifications is not None:
            notifications.start()
        workers = BackgroundWorkers(services) if run_workers else None
        if workers is not None:
            workers.start()
        try:
            yield
        finally:
            if workers is not None:
                await workers.stop()
            if notifications is not None:
                await notifications.stop()
            if sandbox is not None:
                await sandbox.http.aclose()

    app = FastAPI(
        title="homeport",
        version=__version__,
        description="i'mport (PortOne v1) compatible payment gateway for NHN KCP",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    #: Whether browsers reach the embedded sandbox at /sandbox (checkout's window URLs).
    app.state.sandbox_mounted = sandbox is not None
    metrics = HttpMetrics()
    install_error_handlers(app)
    app.include_router(users_api.router)
    # /payments/prepare before /payments/{imp_uid}/...: the literal path must win.
    app.include_router(prepare_api.router)
    app.include_router(cancels_api.router)
    app.include_router(payments_api.router)
    app.include_router(codes_api.router)
    app.include_router(billing_keys_api.router)
    app.include_router(charges_api.router)
    app.include_router(schedules_api.router)
    app.include_router(vbanks_api.router)
    app.include_router(escrows_api.router)
    app.include_router(checkout_api.router)
    app.include_router(checkout_pages.router)
    app.include_router(checkout_demo.router)
    app.include_router(kcp_notifications.router)
    if sandbox is not None:
        app.mount("/sandbox", create_sandbox_app(sandbox))
    if services.sandbox is not None:
        notify_in_process(services.sandbox, app, services.settings)

    @app.get("/health", include_in_schema=False)
    async def health(request: Request) -> EnvelopeResponse:
        await store_meta.ping(services.engine)
        return success({"status": "ok", "version": __version__})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return PlainTextResponse(body, media_type=content_type)

    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(TrailingSlashMiddleware)
    return app
